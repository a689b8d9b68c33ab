/**
 * Untrusted text (names of policies, pods, namespaces, labels, file names, values from manifests)
 * made safe for a terminal: control characters, escape bytes, line and paragraph separators and
 * bidirectional overrides are shown as visible escapes (`\n`, `\x1b`, `\u202e`) and a backslash as
 * `\\`, so nothing in a pull request can move the cursor, recolour the screen or reorder a line.
 */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, (character) => {
    const named = NAMED[character];
    if (named !== undefined) {
      return named;
    }
    const code = character.codePointAt(0) as number;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

// C0 controls, DEL, C1 controls, U+2028/2029, bidi embeddings, overrides and isolates, and the backslash.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\\]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };
