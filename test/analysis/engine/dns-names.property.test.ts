import * as fc from 'fast-check';
import {
  AnalysisInputError, dnsEndpoint, DnsNameClasses, dnsNamePattern, parseIpAddress, podEndpoint, ReachabilityAnalyzer,
} from '../../../src/analysis';
import { cidrContains, parseCidr } from '../../../src/analysis/ip/cidr';
import { cnp } from '../cilium/helpers';
import { policiesFromYaml, threeNamespaceCluster } from '../support/fixtures';

// DNS-name destinations (Cilium toFQDNs) against an independent brute force written here from
// Cilium's documented matchPattern / matchName semantics (CRD field docs of toFQDNs; docs.cilium.io
// "DNS based" policy): names compare case-insensitively with an optional trailing dot; in a
// pattern, "*" is zero or more DNS characters within one label (never a dot), and a pattern of "*"
// alone is every name; matchName is the one name. Nothing here calls the engine's own matcher.

const RUNS = Number(process.env.DNS_NAME_RUNS ?? 150);

/** One label of a name as a DNS label; `*` inside a pattern label is a glob over DNS characters. */
function labelMatches(pattern: string, label: string): boolean {
  const pieces = pattern.split('*');
  if (pieces.length === 1) return pattern === label;
  if (!label.startsWith(pieces[0]) || !label.endsWith(pieces[pieces.length - 1])) return false;
  if (pieces[0].length + pieces[pieces.length - 1].length > label.length) return false;
  let at = pieces[0].length;
  const end = label.length - pieces[pieces.length - 1].length;
  for (const middle of pieces.slice(1, -1)) {
    const found = label.indexOf(middle, at);
    if (found < 0 || found + middle.length > end) return false;
    at = found + middle.length;
  }
  return true;
}

function labelsOf(text: string): string[] {
  const lower = text.toLowerCase();
  return (lower.endsWith('.') ? lower.slice(0, -1) : lower).split('.');
}

/** A name is labels of [-a-z0-9_]+ (the names the model's pods can look up). */
function isName(text: string): boolean {
  return labelsOf(text).every((label) => /^[-a-z0-9_]+$/.test(label));
}

/** The brute-force meaning of one toFQDNs entry. */
function bruteMatches(entry: { field: 'matchName' | 'matchPattern'; value: string }, name: string): boolean {
  if (!isName(name)) return false;
  if (entry.field === 'matchPattern' && /^\*+\.?$/.test(entry.value)) return true;
  const p = labelsOf(entry.value);
  const n = labelsOf(name);
  if (p.length !== n.length) return false;
  return entry.field === 'matchName' ? p.every((label, i) => label === n[i]) : p.every((label, i) => labelMatches(label, n[i]));
}

const nameLabelArb = fc.constantFrom('a', 'b', 'ab', 'api', 'x-y', 'a_b', '0', 'example', 'com', 'API');
const patternLabelArb = fc.constantFrom('a', 'b', 'api', '*', 'a*', '*b', '*-*', 'ap*i', 'example', 'com', '**', 'A*');
const nameArb = fc.tuple(fc.array(nameLabelArb, { minLength: 1, maxLength: 4 }), fc.boolean()).map(([labels, dot]) => `${labels.join('.')}${dot ? '.' : ''}`);
const entryArb: fc.Arbitrary<{ field: 'matchName' | 'matchPattern'; value: string }> = fc.oneof(
  nameArb.map((value) => ({ field: 'matchName' as const, value })),
  fc.array(patternLabelArb, { minLength: 1, maxLength: 3 }).map((labels) => ({ field: 'matchPattern' as const, value: labels.join('.') }))
    .filter((e) => !/^\*{2,}\./.test(e.value)),
  fc.constant({ field: 'matchPattern' as const, value: '*' }),
);
/** Names built from a pattern's labels, so that names inside patterns are found often. */
function namesNear(entries: readonly { value: string }[]): string[] {
  return entries.flatMap((e) => [e.value.replace(/\*+/g, ''), e.value.replace(/\*+/g, 'q'), e.value.replace(/\*+/g, 'a-b'), `z.${e.value.replace(/\*+/g, 'b')}`]);
}

describe('DNS-name classes, against the brute force', () => {
  test('names are in one class iff every pattern decides them alike, and each class example realizes its patterns', () => {
    fc.assert(fc.property(fc.array(entryArb, { minLength: 1, maxLength: 5 }), fc.array(nameArb, { maxLength: 25 }), (entries, names) => {
      const patterns = entries.map((e) => dnsNamePattern(e.field, e.value));
      const classes = DnsNameClasses.derive(patterns);
      for (const c of classes.classes) {
        const vector = classes.patterns.map((p) => bruteMatches({ field: p.field, value: p.written }, c.example));
        expect(vector).toEqual(c.matches);
      }
      const seen = new Map<string, number>();
      for (const name of [...names, ...namesNear(entries)]) {
        const vector = classes.patterns.map((p) => bruteMatches({ field: p.field, value: p.written }, name)).map((v) => (v ? '1' : '0')).join('');
        const index = classes.classOf(name);
        if (!vector.includes('1')) {
          expect(index).toBe(0);
          continue;
        }
        expect(index).toBeGreaterThan(0);
        const known = seen.get(vector);
        if (known === undefined) seen.set(vector, index);
        else expect(index).toBe(known);
      }
      // Distinct vectors, distinct classes.
      expect(new Set(seen.values()).size).toBe(seen.size);
    }), { numRuns: RUNS });
  });

  test('throws for a "**." pattern (its meaning depends on the Cilium version) and for characters Cilium refuses', () => {
    expect(() => dnsNamePattern('matchPattern', '**.example.com')).toThrow(/Cilium 1\.19.*one label before/);
    expect(() => dnsNamePattern('matchPattern', 'a b.com')).toThrow(AnalysisInputError);
    expect(() => dnsNamePattern('matchName', '*.example.com')).toThrow(/only 0-9/);
  });
});

describe('toFQDNs with CIDR allows and denies, the engine against the brute force', () => {
  const cluster = threeNamespaceCluster(['x/a', 'x/b']);
  const CIDRS = ['198.51.100.0/24', '198.51.100.0/25', '203.0.113.0/24'];
  const IPS = ['198.51.100.1', '198.51.100.200', '203.0.113.9', '192.0.2.7'];
  const PORTS = [80, 443];
  type Rule =
    | { kind: 'fqdn'; entries: { field: 'matchName' | 'matchPattern'; value: string }[]; port: number }
    | { kind: 'cidr'; cidr: string; port: number };
  const ruleArb: fc.Arbitrary<Rule> = fc.oneof(
    fc.record({ kind: fc.constant('fqdn' as const), entries: fc.array(entryArb, { minLength: 1, maxLength: 3 }), port: fc.constantFrom(...PORTS) }),
    fc.record({ kind: fc.constant('cidr' as const), cidr: fc.constantFrom(...CIDRS), port: fc.constantFrom(...PORTS) }),
  );
  const yamlOf = (rules: readonly Rule[], denies: readonly Rule[]) => {
    const rule = (r: Rule) => (r.kind === 'fqdn'
      ? `{ toFQDNs: [${r.entries.map((e) => `{ ${e.field}: "${e.value}" }`).join(', ')}], toPorts: [{ ports: [{ port: "${r.port}", protocol: TCP }] }] }`
      : `{ toCIDR: ["${r.cidr}"], toPorts: [{ ports: [{ port: "${r.port}", protocol: TCP }] }] }`);
    return cnp('x', 'egress', `{ endpointSelector: { matchLabels: { pod: a } }, egress: [${rules.map(rule).join(', ')}]${denies.length ? `, egressDeny: [${denies.map(rule).join(', ')}]` : ''} }`);
  };
  const brute = (rules: readonly Rule[], denies: readonly Rule[], name: string | undefined, ip: string, port: number) => {
    const address = parseIpAddress(ip);
    const matches = (r: Rule) => r.port === port && (r.kind === 'cidr'
      ? cidrContains(parseCidr(r.cidr), address)
      : name !== undefined && r.entries.some((e) => bruteMatches(e, name)));
    return !denies.some(matches) && rules.some(matches);
  };

  test('every (name, address, port): the exact sets and the per-flow verdict equal the brute force', () => {
    fc.assert(fc.property(
      fc.array(ruleArb, { minLength: 1, maxLength: 4 }),
      fc.array(ruleArb.filter((r) => r.kind === 'cidr'), { maxLength: 1 }),
      fc.array(nameArb, { maxLength: 6 }),
      (rules, denies, names) => {
        const analyzer = new ReachabilityAnalyzer(cluster, policiesFromYaml(yamlOf(rules, denies)));
        const connectivity = analyzer.connectivity();
        const candidates = [...names, ...namesNear(rules.flatMap((r) => (r.kind === 'fqdn' ? r.entries : [])))];
        for (const name of [undefined, ...candidates]) {
          for (const ip of IPS) {
            const destination = name === undefined ? { kind: 'ip' as const, ip } : dnsEndpoint(name, ip);
            if (name !== undefined && !isName(name)) continue;
            const set = connectivity.connections(podEndpoint('x', 'a'), destination);
            const pair = analyzer.connections(podEndpoint('x', 'a'), destination);
            for (const port of PORTS) {
              const expected = brute(rules, denies, name, ip, port);
              const flow = { source: podEndpoint('x', 'a'), destination, port, protocol: 'TCP' as const };
              expect([name, ip, port, set.contains(port, 'TCP')]).toEqual([name, ip, port, expected]);
              expect(pair.contains(port, 'TCP')).toBe(expected);
              expect(analyzer.evaluate(flow).allowed).toBe(expected);
            }
          }
        }
      },
    ), { numRuns: RUNS });
  });
});
