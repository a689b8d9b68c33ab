import { escapeText } from './text-escape';

/**
 * Untrusted text as a quoted Mermaid label (`"…"`, for nodes, subgraphs and edges): everything but
 * letters, digits, spaces and `. / : , _ @ + = -` is written as a Mermaid entity code (`#35;`), so a
 * quote cannot close the label, a newline cannot start a statement (it is shown as `\n` first), and
 * no markup, comment (`%%`) or HTML reaches the renderer.
 */
export function mermaidLabel(text: string): string {
  const safe = escapeText(text).replace(/[^A-Za-z0-9 ./:,_@+=-]/g, (character) => `#${character.codePointAt(0)};`);
  return `"${safe}"`;
}
