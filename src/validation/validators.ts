import * as ipaddr from 'ipaddr.js';
import { InputProblem } from './input-error';

// Kubernetes name rules (k8s.io/apimachinery/pkg/util/validation).
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** A namespace name: an RFC 1123 DNS label of at most 63 characters. */
export function checkNamespaceName(what: string, v: unknown): InputProblem[] {
  if (typeof v !== 'string' || v.length === 0 || v.length > 63 || !DNS1123_LABEL.test(v)) {
    return [{
      what,
      value: v,
      expected: 'a namespace name: at most 63 lower-case letters, digits or "-", starting and ending with a letter or digit',
      fix: `use the namespace's real name${typeof v === 'string' ? `, e.g. ${JSON.stringify(suggestLabel(v))}` : ''}`,
    }];
  }
  return [];
}

/** An object name (e.g. a service account): an RFC 1123 DNS subdomain of at most 253 characters. */
export function checkSubdomainName(what: string, v: unknown): InputProblem[] {
  if (typeof v !== 'string' || v.length === 0 || v.length > 253 || !DNS1123_SUBDOMAIN.test(v)) {
    return [{
      what,
      value: v,
      expected: 'an object name: at most 253 lower-case letters, digits, "-" or ".", starting and ending with a letter or digit',
      fix: 'use the object\'s real Kubernetes name',
    }];
  }
  return [];
}

/** A label key: optional DNS-subdomain prefix and "/", then a name of at most 63 characters. */
export function checkLabelKey(what: string, k: unknown): InputProblem[] {
  const bad = (expected: string): InputProblem[] => [{ what, value: k, expected, fix: 'use a valid Kubernetes label key such as "app" or "app.kubernetes.io/name"' }];
  if (typeof k !== 'string' || k.length === 0) return bad('a non-empty label key');
  const slash = k.lastIndexOf('/');
  const prefix = slash >= 0 ? k.slice(0, slash) : undefined;
  const name = slash >= 0 ? k.slice(slash + 1) : k;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    return bad('a key prefix that is a DNS subdomain (lower-case, at most 253 characters) before the "/"');
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return bad('a key name of at most 63 characters: letters, digits, "-", "_" or ".", starting and ending with a letter or digit');
  }
  return [];
}

/** A label value: empty, or at most 63 characters of letters, digits, "-", "_", ".". */
export function checkLabelValue(what: string, v: unknown): InputProblem[] {
  if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) {
    return [{
      what,
      value: v,
      expected: 'a label value: at most 63 characters, letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
      fix: 'use the value the pods really carry; label values cannot contain spaces, "/" or quotes',
    }];
  }
  return [];
}

/** Checks every key and value of a label map. */
export function checkLabels(what: string, labels: unknown): InputProblem[] {
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    return [{ what, value: labels, expected: 'a map of label keys to values', fix: 'pass e.g. { app: "frontend" }' }];
  }
  const out: InputProblem[] = [];
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    out.push(...checkLabelKey(`label key in ${what}`, k));
    out.push(...checkLabelValue(`value of label ${JSON.stringify(k)} in ${what}`, v));
  }
  return out;
}

/** A port number 1-65535. */
export function checkPortNumber(what: string, v: unknown): InputProblem[] {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
    return [{ what, value: v, expected: 'an integer from 1 to 65535', fix: 'use the container (target) port the pods listen on; to allow every port use Port.allTcp() / Port.allUdp()' }];
  }
  return [];
}

/** A named port: an IANA service name (at most 15 characters, a-z, 0-9, "-", at least one letter). */
export function checkPortName(what: string, v: unknown): InputProblem[] {
  if (typeof v !== 'string' || v.length === 0 || v.length > 15 || !IANA_SVC_NAME.test(v) || v.includes('--') || !/[a-z]/.test(v)) {
    return [{
      what,
      value: v,
      expected: 'an IANA service name: at most 15 characters of a-z, 0-9 and "-", at least one letter, no "--", not starting or ending with "-"',
      fix: 'use the `name` of the container port as declared in the pod spec, or the port number',
    }];
  }
  return [];
}

/** The family of a canonical CIDR, or problems. */
export interface ParsedCidr {
  readonly family: 'ipv4' | 'ipv6';
  readonly canonical: string;
  readonly address: ipaddr.IPv4 | ipaddr.IPv6;
  readonly prefix: number;
}

/** The outcome of parsing one CIDR text: the parsed block, or the problem without its `what`. */
type CidrOutcome = { readonly ok: ParsedCidr } | { readonly problem: Omit<InputProblem, 'what'> };

/**
 * Parse outcomes per CIDR text. An estate repeats a few CIDRs in thousands of intents, and
 * parsing and canonicalizing with ipaddr.js dominates constructing an EgressToCidr. Outcomes
 * are pure functions of the text and frozen. Emptied when full, so a long-lived process that
 * sees ever new texts keeps at most this many.
 */
const CIDR_OUTCOMES = new Map<string, CidrOutcome>();
const MAX_CIDR_OUTCOMES = 10_000;

/** Parses a CIDR; host bits must be zero (the canonical network address). */
export function parseCidr(what: string, v: unknown, problems: InputProblem[]): ParsedCidr | undefined {
  if (typeof v !== 'string') return parseCidrUncached(what, v, problems);
  let outcome = CIDR_OUTCOMES.get(v);
  if (!outcome) {
    const found: InputProblem[] = [];
    const parsed = parseCidrUncached(what, v, found);
    const { what: _what, ...problem } = found[0] ?? {};
    outcome = parsed ? { ok: Object.freeze(parsed) } : Object.freeze({ problem: Object.freeze(problem as Omit<InputProblem, 'what'>) });
    if (CIDR_OUTCOMES.size >= MAX_CIDR_OUTCOMES) CIDR_OUTCOMES.clear();
    CIDR_OUTCOMES.set(v, outcome);
  }
  if ('ok' in outcome) return outcome.ok;
  problems.push({ what, ...outcome.problem });
  return undefined;
}

function parseCidrUncached(what: string, v: unknown, problems: InputProblem[]): ParsedCidr | undefined {
  if (typeof v !== 'string' || !v.includes('/')) {
    problems.push({
      what,
      value: v,
      expected: 'a CIDR block such as "10.0.0.0/16" or "2001:db8::/32"',
      fix: typeof v === 'string' && ipaddr.isValid(v) ? `add the prefix length, e.g. ${JSON.stringify(`${v}/${ipaddr.parse(v).kind() === 'ipv4' ? 32 : 128}`)} for a single address` : 'write the network address and the prefix length',
    });
    return undefined;
  }
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(v);
  } catch {
    problems.push({ what, value: v, expected: 'a CIDR block such as "10.0.0.0/16" or "2001:db8::/32"', fix: 'check the address and the prefix length (0-32 for IPv4, 0-128 for IPv6)' });
    return undefined;
  }
  const [addr, prefix] = parsed;
  const addrText = v.slice(0, v.lastIndexOf('/'));
  if (addr.kind() === 'ipv4' && !ipaddr.IPv4.isValidFourPartDecimal(addrText)) {
    problems.push({ what, value: v, expected: 'an IPv4 address in four-part decimal form (a.b.c.d)', fix: 'write all four octets in decimal, without leading zeros' });
    return undefined;
  }
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
    problems.push({ what, value: v, expected: 'a plain IPv4 or IPv6 CIDR', fix: 'write IPv4-mapped IPv6 ranges as IPv4 CIDRs' });
    return undefined;
  }
  const family = addr.kind() as 'ipv4' | 'ipv6';
  const network = family === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(v) : ipaddr.IPv6.networkAddressFromCIDR(v);
  const canonical = `${network.toString()}/${prefix}`;
  const given = `${addr.toString()}/${prefix}`;
  if (canonical === given && v !== canonical) {
    problems.push({ what, value: v, expected: 'the canonical form of the block', fix: `write ${JSON.stringify(canonical)}` });
    return undefined;
  }
  if (canonical !== given) {
    problems.push({
      what,
      value: v,
      expected: 'the network address of the block (host bits zero)',
      fix: `write ${JSON.stringify(canonical)}; the API server would accept ${JSON.stringify(v)} but engines disagree on what it means`,
    });
    return undefined;
  }
  return { family, canonical, address: network, prefix };
}

/** Whether `inner` lies strictly inside `outer` (same family, longer prefix, matching network bits). */
export function cidrStrictlyInside(inner: ParsedCidr, outer: ParsedCidr): boolean {
  if (inner.family !== outer.family || inner.prefix <= outer.prefix) return false;
  return (inner.address as any).match(outer.address, outer.prefix);
}

function suggestLabel(v: string): string {
  return v.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63) || 'my-namespace';
}
