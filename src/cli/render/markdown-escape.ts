import { escapeText } from './text-escape';

/**
 * Untrusted text as GitHub-flavoured Markdown that renders literally: a code span, which Markdown
 * never reads links, emphasis, HTML or autolinks in (so `x [click](https://evil.example/login)` stays
 * text). Control characters are shown escaped (a newline would end a table row), the span's fence is
 * longer than any run of backticks inside, and in a table cell `|` is escaped (GFM removes the
 * backslash there, even in a code span).
 */
export function markdownCode(text: string, where: 'inline' | 'table' = 'inline'): string {
  let safe = escapeText(text);
  if (where === 'table') {
    safe = safe.replace(/\|/g, '\\|');
  }
  if (safe.length === 0) {
    return '*(empty)*';
  }
  const longest = Math.max(0, ...(safe.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  // A space keeps a backtick at either end from joining the fence (CommonMark strips one space each side).
  const pad = safe.startsWith('`') || safe.endsWith('`') || (safe.startsWith(' ') && safe.endsWith(' ')) ? ' ' : '';
  return `${fence}${pad}${safe}${pad}${fence}`;
}
