import * as fc from 'fast-check';
import {
  ClusterModel, FlowEndpoint, HttpRequest, ipEndpoint, parsePolicies, podEndpoint, ReachabilityAnalyzer,
} from '../../../src/analysis';

// A differential property for the AuthorizationPolicy fields of issue 13: random ALLOW and DENY policies with
// principals, namespaces and service accounts (and their not… twins), ipBlocks/notIpBlocks, ports/notPorts,
// methods and paths, and `when` conditions on source.principal, source.namespace, source.serviceAccount,
// source.ip, destination.ip and destination.port, on a server that is a sidecar, an ambient pod or outside
// the mesh, probed from meshed, plaintext and external clients with and without an HTTP request. The exact
// engine and evaluate() must agree with an evaluator written here, per connection, from Istio's documented
// semantics (istio.io AuthorizationPolicy reference: sources, operations and conditions; fields AND, values
// OR, not… excludes; DENY before ALLOW) and, where the enforcement points differ, from how istiod compiles a
// rule for each: for Envoy (a sidecar) pilot/pkg/security/authz/model (namespaces become the regex
// `.*/ns/<ns>/.*` with `*` as `.*`; HTTP fields on a connection without a request drop an ALLOW rule and are
// ignored by a DENY rule) and for ztunnel pilot/pkg/serviceregistry/ambient/authorization.go handleRule with
// ztunnel src/rbac.rs (values compared as strings; an ALLOW rule with an HTTP field or an L7 key is dropped; a
// DENY operation without ports, or an L7 key, is an empty match, which never matches).

const RUNS = Number(process.env.EQUIVALENCE_RUNS ?? 300);
type End = 'sidecar' | 'ambient' | 'none';
const SERVER_IP = '10.0.0.1';

interface Client { readonly ns: 'prod' | 'dev'; readonly sa: 'a' | 'b' | 'web'; readonly end: End }
interface Source { readonly [field: string]: readonly string[] }
interface Operation { readonly [field: string]: readonly string[] }
interface Condition { readonly key: string; readonly values?: readonly string[]; readonly notValues?: readonly string[] }
interface Rule { readonly from?: readonly Source[]; readonly to?: readonly Operation[]; readonly when?: readonly Condition[] }
interface Policy { readonly action: 'ALLOW' | 'DENY'; readonly rules: readonly Rule[] }
interface Case { readonly server: End; readonly clients: readonly Client[]; readonly policies: readonly Policy[] }

const PRINCIPALS = ['*', 'cluster.local/ns/prod/sa/a', '*/sa/b', '*sa/web', 'cluster.local/ns/dev/sa/a'];
const NAMESPACES = ['*', 'prod', 'dev', 'pr*', '*ev', '*a'];
const ACCOUNTS = ['a', 'prod/b', 'dev/a', 'web'];
const BLOCKS = ['10.0.0.0/29', '10.0.0.3', '0.0.0.0/0', '192.168.0.0/16', '10.0.0.4/30'];
const PORTS = ['8080', '9090'];
const DESTINATIONS = ['10.0.0.1', '10.0.0.0/31', '10.9.0.0/16'];
const EXTERNAL_IPS = ['192.168.1.1', '172.16.0.1'];
const PROBE_PORTS = [8080, 9090, 7000];
const REQUESTS: (HttpRequest | undefined)[] = [undefined, { method: 'GET', path: '/admin/x' }, { method: 'POST', path: '/x' }];

const some = (values: readonly string[]) => fc.subarray([...values], { minLength: 1, maxLength: 2 });
const sourceArb: fc.Arbitrary<Source> = fc.oneof(
  fc.record({
    principals: some(PRINCIPALS), notPrincipals: some(PRINCIPALS), namespaces: some(NAMESPACES), notNamespaces: some(NAMESPACES),
  }, { requiredKeys: [] }),
  fc.record({ serviceAccounts: some(ACCOUNTS), notServiceAccounts: some(ACCOUNTS) }, { requiredKeys: [] }),
  fc.record({
    ipBlocks: some(BLOCKS), notIpBlocks: some(BLOCKS), notPrincipals: some(PRINCIPALS), notNamespaces: some(NAMESPACES),
  }, { requiredKeys: [] }),
).filter((s) => Object.keys(s).length > 0);
const operationArb: fc.Arbitrary<Operation> = fc.record({
  ports: some(PORTS), notPorts: some(PORTS), methods: fc.constant(['GET']), notPaths: fc.constant(['/admin*']),
}, { requiredKeys: [] }).filter((o) => Object.keys(o).length > 0);
const valuesFor: Record<string, readonly string[]> = {
  'source.principal': PRINCIPALS,
  'source.namespace': NAMESPACES,
  'source.serviceAccount': ACCOUNTS,
  'source.ip': BLOCKS,
  'destination.ip': DESTINATIONS,
  'destination.port': PORTS,
};
const conditionArb: fc.Arbitrary<Condition> = fc.constantFrom(...Object.keys(valuesFor)).chain((key) => fc.record({
  key: fc.constant(key), values: some(valuesFor[key]), notValues: some(valuesFor[key]),
}, { requiredKeys: ['key'] }).filter((c) => c.values !== undefined || c.notValues !== undefined));
const ruleArb: fc.Arbitrary<Rule> = fc.record({
  from: fc.array(sourceArb, { minLength: 1, maxLength: 2 }),
  to: fc.array(operationArb, { minLength: 1, maxLength: 2 }),
  when: fc.array(conditionArb, { minLength: 1, maxLength: 2 }),
}, { requiredKeys: [] });
const caseArb: fc.Arbitrary<Case> = fc.record({
  server: fc.constantFrom<End>('sidecar', 'ambient', 'none'),
  clients: fc.array(fc.record({
    ns: fc.constantFrom('prod' as const, 'dev' as const), sa: fc.constantFrom('a' as const, 'b' as const, 'web' as const), end: fc.constantFrom<End>('sidecar', 'ambient', 'none'),
  }), { minLength: 1, maxLength: 3 }),
  policies: fc.array(fc.record({ action: fc.constantFrom('ALLOW' as const, 'DENY' as const), rules: fc.array(ruleArb, { minLength: 1, maxLength: 2 }) }), { minLength: 1, maxLength: 2 }),
});

/** The analyzer refuses a source that needs an identity and an address at once (AND); such cases are not generated. */
function refused(rule: Rule): boolean {
  const positiveWhen = (rule.when ?? []).some((c) => c.values && ['source.principal', 'source.namespace', 'source.serviceAccount'].includes(c.key));
  const addressWhen = (rule.when ?? []).some((c) => c.key === 'source.ip');
  const sources = rule.from ?? [{}];
  return sources.some((s) => {
    const positive = positiveWhen || ['principals', 'namespaces', 'serviceAccounts'].some((f) => s[f]);
    const address = addressWhen || s.ipBlocks !== undefined || s.notIpBlocks !== undefined;
    return positive && address;
  });
}

function manifests(c: Case): string {
  return c.policies.map((p, i) => `---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: p${i}, namespace: prod }\n`
    + `spec: ${JSON.stringify({
      action: p.action,
      selector: { matchLabels: { app: 'server' } },
      rules: p.rules.map((r) => ({
        ...(r.from ? { from: r.from.map((source) => ({ source })) } : {}),
        ...(r.to ? { to: r.to.map((operation) => ({ operation })) } : {}),
        ...(r.when ? { when: r.when } : {}),
      })),
    })}\n`).join('');
}

// ---- the independent evaluator ----

interface Peer { readonly ip: string; readonly identity?: { readonly ns: string; readonly sa: string } }
interface Probe { readonly peer: Peer; readonly port: number; readonly request?: HttpRequest }

function ipValue(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}
function inBlock(ip: string, block: string): boolean {
  const [base, bits] = block.includes('/') ? block.split('/') : [block, '32'];
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipValue(ip) / size) === Math.floor(ipValue(base) / size);
}
/** Istio's wildcard: `*` any non-empty value, `*x` suffix, `x*` prefix, else exact (checked in that order). */
function wildcard(pattern: string, value: string): boolean {
  if (pattern === '*') return value.length > 0;
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  return value === pattern;
}
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

type Point = 'envoy' | 'ztunnel';

/** One attribute test: `values` (one must match) and `notValues` (none may match), each with the identity absent treated as no match. */
function attribute(point: Point, key: string, values: readonly string[] | undefined, notValues: readonly string[] | undefined, p: Probe): boolean {
  const probe = p;
  const one = (v: string): boolean => {
    const id = probe.peer.identity;
    switch (key) {
      case 'principal': return id !== undefined && wildcard(v, `cluster.local/ns/${id.ns}/sa/${id.sa}`);
      case 'namespace':
        if (id === undefined) return false;
        // Envoy: istiod's regex on the SPIFFE ID; ztunnel: the namespace itself.
        return point === 'envoy'
          ? new RegExp(`^.*/ns/${v.split('*').map(escape).join('.*')}/.*$`).test(`spiffe://cluster.local/ns/${id.ns}/sa/${id.sa}`)
          : wildcard(v, id.ns);
      case 'serviceAccount': {
        const [ns, sa] = v.includes('/') ? v.split('/') : ['prod', v];
        return id !== undefined && id.ns === ns && id.sa === sa;
      }
      case 'ip': return inBlock(probe.peer.ip, v);
      case 'destination.ip': return inBlock(SERVER_IP, v);
      case 'port': return String(probe.port) === v;
      case 'method': return probe.request !== undefined && probe.request.method === v;
      case 'path': return probe.request !== undefined && wildcard(v, probe.request.path.split(/[?#]/)[0]);
    }
    throw new Error(key);
  };
  return (values === undefined || values.some(one)) && (notValues === undefined || !notValues.some(one));
}

const SOURCE_KEYS: [string, string, string][] = [
  ['principals', 'notPrincipals', 'principal'], ['namespaces', 'notNamespaces', 'namespace'],
  ['serviceAccounts', 'notServiceAccounts', 'serviceAccount'], ['ipBlocks', 'notIpBlocks', 'ip'],
];
const WHEN_KEYS: Record<string, string> = {
  'source.principal': 'principal',
  'source.namespace': 'namespace',
  'source.serviceAccount': 'serviceAccount',
  'source.ip': 'ip',
  'destination.ip': 'destination.ip',
  'destination.port': 'port',
};
const HTTP_FIELDS = ['methods', 'notMethods', 'paths', 'notPaths'];

/** Whether the rule matches at the enforcement point; the sidecar with no request uses the TCP filter. */
function ruleMatches(point: Point, action: 'ALLOW' | 'DENY', rule: Rule, probe: Probe): boolean {
  const ops = rule.to;
  const when = rule.when ?? [];
  const hasHttp = (ops ?? []).some((op) => HTTP_FIELDS.some((f) => op[f]));
  if (point === 'ztunnel') {
    if (action === 'ALLOW' && (hasHttp || when.some((c) => c.key === 'source.serviceAccount'))) return false;
    if (when.some((c) => c.key === 'source.serviceAccount')) return false; // an empty match, skipped
  }
  if (point === 'envoy' && probe.request === undefined && action === 'ALLOW' && hasHttp) return false;
  const source = (s: Source) => SOURCE_KEYS.every(([field, not, key]) => attribute(point, key, s[field], s[not], probe));
  const operation = (op: Operation) => {
    if (point === 'ztunnel' && !op.ports && !op.notPorts) return false; // an empty match, skipped
    const http = probe.request !== undefined && point === 'envoy';
    return attribute(point, 'port', op.ports, op.notPorts, probe)
      && (!http || (attribute(point, 'method', op.methods, op.notMethods, probe) && attribute(point, 'path', op.paths, op.notPaths, probe)));
  };
  return (rule.from === undefined || rule.from.some(source))
    && (ops === undefined || ops.some(operation))
    && when.every((c) => attribute(point, WHEN_KEYS[c.key], c.values, c.notValues, probe));
}

function brute(c: Case, probe: Probe): boolean {
  if (c.server === 'none') return true;
  const point: Point = c.server === 'ambient' ? 'ztunnel' : 'envoy';
  const at: Probe = point === 'ztunnel' ? { peer: probe.peer, port: probe.port } : probe;
  const matches = (p: Policy) => p.rules.some((r) => ruleMatches(point, p.action, r, at));
  if (c.policies.some((p) => p.action === 'DENY' && matches(p))) return false;
  const allows = c.policies.filter((p) => p.action === 'ALLOW');
  return allows.length === 0 || allows.some(matches);
}

describe('AuthorizationPolicy fields, against an independent per-connection evaluator', () => {
  test(`exact engine, evaluate() and the evaluator agree on ${RUNS} random policies`, () => {
    fc.assert(fc.property(caseArb, (c) => {
      fc.pre(!c.policies.some((p) => p.rules.some(refused)));
      const pods = [{ ns: 'prod', name: 'server', app: 'server', sa: 'server', end: c.server }, ...c.clients.map((k, i) => ({ ns: k.ns, name: `c${i}`, app: 'client', sa: k.sa, end: k.end }))];
      const cluster = ClusterModel.create({
        namespaces: [{ name: 'prod' }, { name: 'dev' }],
        pods: pods.map((p, i) => ({
          namespace: p.ns, name: p.name, labels: { app: p.app }, serviceAccountName: p.sa, ips: [`10.0.0.${i + 1}`], mesh: { enrollment: p.end },
        })),
      });
      const analyzer = new ReachabilityAnalyzer(cluster, parsePolicies({ file: 'p.yaml', text: manifests(c) }));
      const destination = podEndpoint('prod', 'server');
      const sources: [FlowEndpoint, Peer, string][] = [
        ...c.clients.map((k, i): [FlowEndpoint, Peer, string] => {
          // mTLS (no PeerAuthentication: PERMISSIVE): a meshed client to an ambient server (HBONE), or a sidecar to a sidecar.
          const mtls = k.end !== 'none' && (c.server === 'ambient' || (c.server === 'sidecar' && k.end === 'sidecar'));
          return [podEndpoint(k.ns, `c${i}`), { ip: `10.0.0.${i + 2}`, ...(mtls ? { identity: { ns: k.ns, sa: k.sa } } : {}) }, `${k.ns}/${k.sa} ${k.end}${mtls ? ' mTLS' : ''}`];
        }),
        ...EXTERNAL_IPS.map((ip): [FlowEndpoint, Peer, string] => [ipEndpoint(ip), { ip }, ip]),
      ];
      for (const [source, peer, label] of sources) {
        const set = analyzer.connectivity().connections(source, destination);
        for (const port of PROBE_PORTS) {
          for (const request of REQUESTS) {
            const want = brute(c, { peer, port, ...(request ? { request } : {}) });
            const got = [set.contains(port, 'TCP', request), analyzer.evaluate({ source, destination, port, protocol: 'TCP', ...(request ? { http: request } : {}) }).allowed];
            if (got[0] !== want || got[1] !== want) {
              throw new Error(`${label} -> ${c.server} server ${port}/TCP ${request ? `${request.method} ${request.path}` : '(no request)'}: evaluator ${want}, sets ${got[0]}, evaluate ${got[1]}\n${manifests(c)}`);
            }
          }
        }
      }
    }), { numRuns: RUNS });
  });
});
