import { AnalysisInputError } from './analysis-input-error';

/**
 * DNS-name destinations (Cilium `toFQDNs`, the library's `EgressToFqdn`), as Cilium 1.16–1.19 matches
 * them (cilium/cilium @ 0f7e0e5e `pkg/fqdn/matchpattern/matchpattern.go`, and the current
 * `matchpattern.go` with `escapeRegexpCharacters`; `pkg/policy/api/fqdn.go` `FQDNSelector.ToRegex`):
 *
 * - a name is compared in its canonical form: lower case, with the trailing dot (`dns.FQDN`), which
 *   is how the DNS proxy reports the names it saw (the question name, lower-cased);
 * - `matchName` is that one name (a trailing dot is added when missing; letters are lower-cased);
 * - `matchPattern`: letters lower-cased, a trailing dot added; `.` is a literal dot and each run of
 *   `*` is zero or more DNS characters of one label (`[-a-zA-Z0-9_]*`, never a dot), so `*.example.com`
 *   is exactly one label before `example.com` and `api-*.example.com` any label starting `api-`;
 *   a pattern of `*` only (optionally with a trailing dot) is every name;
 * - a pattern starting with `**.` is refused: Cilium 1.19 reads it as one or more labels
 *   (cilium/cilium#43420), earlier releases as one label, so its meaning depends on the version.
 *
 * The name space the analyzer reasons over is `DNS_NAME_SPACE`: one or more labels of DNS characters,
 * each followed by a dot (the root name `.` and names with other characters match no pattern but
 * `*`'s special case, and no pod connects to them). Label and name lengths are not bounded in it.
 */
export interface DnsNamePattern {
  /** How the policy wrote it: `matchName` or `matchPattern`. */
  readonly field: 'matchName' | 'matchPattern';
  /** The value as written (for messages). */
  readonly written: string;
  /** An RE2 (and JavaScript) regex over canonical names, anchored by full-match semantics (no `^`/`$`). */
  readonly regex: string;
}

/** The characters of a DNS label Cilium's patterns know (`allowedDNSCharsREGroup`), lower case. */
export const DNS_LABEL_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789-_';

/** The canonical names the analyzer reasons over: `([-a-z0-9_]+\.)+` as a full-match regex. */
export const DNS_NAME_SPACE = '(?:[-a-z0-9_]+\\.)+';

const LABEL_GROUP = '[-a-z0-9_]';

/** A name in canonical form (lower case, one trailing dot added when missing); undefined when it is not a name of the space. */
export function canonicalDnsName(name: string): string | undefined {
  const lower = name.toLowerCase();
  const canonical = lower.endsWith('.') ? lower : `${lower}.`;
  return new RegExp(`^${DNS_NAME_SPACE}$`).test(canonical) ? canonical : undefined;
}

/** A name as users write it: without the trailing dot. */
export function displayDnsName(canonical: string): string {
  return canonical.endsWith('.') && canonical.length > 1 ? canonical.slice(0, -1) : canonical;
}

/**
 * Compiles a `matchName` / `matchPattern` value as Cilium does (see the module comment).
 * @throws AnalysisInputError for a value Cilium refuses, or a `**.` pattern whose meaning depends on the Cilium version
 */
export function dnsNamePattern(field: 'matchName' | 'matchPattern', written: string): DnsNamePattern {
  const value = written.trim().toLowerCase();
  if (value.length === 0 || value.length > 255) {
    throw new AnalysisInputError(`${field} ${JSON.stringify(written)}: expected 1 to 255 characters`);
  }
  const allowed = field === 'matchName' ? /^[-a-z0-9_.]+$/ : /^[-a-z0-9_.*]+$/;
  if (!allowed.test(value)) {
    throw new AnalysisInputError(`${field} ${JSON.stringify(written)}: only 0-9, a-z, A-Z, "-", "_", "."${field === 'matchPattern' ? ' and "*"' : ''} are allowed (Cilium refuses the policy)`);
  }
  if (field === 'matchPattern' && /^\*+\.?$/.test(value)) {
    return { field, written, regex: DNS_NAME_SPACE };
  }
  if (field === 'matchPattern' && /^\*{2,}\./.test(value)) {
    throw new AnalysisInputError(`matchPattern ${JSON.stringify(written)}: a "**." prefix means one or more labels from Cilium 1.19 on (cilium/cilium#43420) `
      + 'but exactly one label before, so the analyzer (which targets Cilium 1.16-1.19) cannot say what it allows; '
      + 'write "*." for one label, or list the deeper names');
  }
  const fqdn = value.endsWith('.') ? value : `${value}.`;
  let regex = '';
  for (let i = 0; i < fqdn.length; i++) {
    const c = fqdn[i];
    if (c === '.') {
      regex += '\\.';
    } else if (c === '*') {
      while (fqdn[i + 1] === '*') i++;
      regex += `${LABEL_GROUP}*`;
    } else {
      regex += c;
    }
  }
  return { field, written, regex };
}

const compiled = new Map<string, RegExp>();

/** True if the canonical name matches the pattern. */
export function dnsNameMatches(pattern: DnsNamePattern, canonicalName: string): boolean {
  let re = compiled.get(pattern.regex);
  if (!re) {
    re = new RegExp(`^(?:${pattern.regex})$`);
    compiled.set(pattern.regex, re);
  }
  return re.test(canonicalName);
}

/** `matchPattern *.example.com`, for messages and class descriptions. */
export function describeDnsNamePattern(pattern: DnsNamePattern): string {
  return pattern.field === 'matchName' ? displayDnsName(pattern.written.trim().toLowerCase()) : pattern.written.trim().toLowerCase();
}
