/**
 * Full-match evaluation of the regexes the Cilium dialect emits, the way
 * Envoy evaluates Cilium's `rules.http` (Google RE2, whole-string match).
 *
 * Uses re2js (a port of RE2/J, so RE2 syntax and semantics) when it is
 * installed. Without it, falls back to a JavaScript RegExp anchored on both
 * ends: for the constructs the dialect emits (escaped literals, `.`, `*`,
 * `?`, non-capturing groups) both engines agree, but the fallback cannot
 * catch RE2-only syntax errors, so `engineName` says which one ran.
 */
interface Re2Js {
  RE2JS: { compile(re: string): { matches(input: string): boolean } };
}

let re2: Re2Js | undefined;
try {
  // re2js is a proposed devDependency (not yet in .projenrc.ts); the fallback below keeps tests running without it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
  re2 = require('re2js') as Re2Js;
} catch {
  re2 = undefined;
}

/** Which engine `fullMatch` uses. */
export const engineName = re2 ? 're2js' : 'RegExp (fallback: re2js is not installed)';

/** Whether `input` matches `regex` as a whole, as Envoy's RE2 regex matcher decides. */
export function fullMatch(regex: string, input: string): boolean {
  if (re2) return re2.RE2JS.compile(regex).matches(input);
  return new RegExp(`^(?:${regex})$`, 'u').test(input);
}
