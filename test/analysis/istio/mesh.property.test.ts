import * as fc from 'fast-check';
import { ClusterModel, parsePolicies, podEndpoint, Protocol, ReachabilityAnalyzer } from '../../../src/analysis';

// A differential property for the mesh hops: random enrollment (sidecar, sidecar with HBONE, ambient, none),
// random PeerAuthentication modes at mesh, namespace and workload level (with a port-level mode), a random CNI
// allowance and a random principal ALLOW — the exact engine, evaluate() and an independent brute force written
// here from docs/ANALYSIS.md "The mesh" (the mTLS table, STRICT, HBONE at 15008) must agree on every probe.

// Cheap (about 2 s for 500 cases): 500 in CI, as issue 13 asks of the mesh properties.
const RUNS = Number(process.env.EQUIVALENCE_RUNS ?? 500);
type End = 'sidecar' | 'sidecar+hbone' | 'ambient' | 'none';
type Mode = 'STRICT' | 'PERMISSIVE' | 'DISABLE' | 'UNSET';
const ENDS: End[] = ['sidecar', 'sidecar+hbone', 'ambient', 'none'];
const MODES: Mode[] = ['STRICT', 'PERMISSIVE', 'DISABLE', 'UNSET'];
const ACCOUNTS = ['a', 'b'];
const PROBES: [number, Protocol][] = [[8080, 'TCP'], [9090, 'TCP'], [15008, 'TCP'], [8080, 'UDP']];

interface Case {
  readonly pods: { readonly ns: 'prod' | 'other'; readonly app: 'server' | 'client'; readonly sa: string; readonly end: End }[];
  readonly meshMode?: Mode;
  readonly namespaceMode?: Mode;
  readonly workload?: { readonly mode?: Mode; readonly port9090?: Mode };
  /** TCP ports a NetworkPolicy admits into prod's servers from every pod; undefined = no NetworkPolicy. */
  readonly cniPorts?: number[];
  /** A principal ALLOW into prod's servers: the prod account and TCP ports. */
  readonly allow?: { readonly sa: string; readonly ports: number[] };
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  pods: fc.array(fc.record({
    ns: fc.constantFrom('prod' as const, 'other' as const),
    app: fc.constantFrom('server' as const, 'client' as const),
    sa: fc.constantFrom(...ACCOUNTS),
    end: fc.constantFrom(...ENDS),
  }), { minLength: 2, maxLength: 5 }),
  meshMode: fc.option(fc.constantFrom(...MODES), { nil: undefined }),
  namespaceMode: fc.option(fc.constantFrom(...MODES), { nil: undefined }),
  workload: fc.option(fc.record({
    mode: fc.option(fc.constantFrom(...MODES), { nil: undefined }),
    port9090: fc.option(fc.constantFrom(...MODES), { nil: undefined }),
  }), { nil: undefined }),
  cniPorts: fc.option(fc.subarray([8080, 9090, 15008]), { nil: undefined }),
  allow: fc.option(fc.record({ sa: fc.constantFrom(...ACCOUNTS), ports: fc.subarray([8080, 9090, 15008], { minLength: 1 }) }), { nil: undefined }),
});

function manifests(c: Case): string {
  const pa = (name: string, ns: string, spec: string) => `---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: { name: ${name}, namespace: ${ns} }\nspec: ${spec}\n`;
  const mode = (m: Mode | undefined) => (m === undefined ? '' : `mtls: { mode: ${m} }`);
  let out = '';
  if (c.meshMode) out += pa('mesh', 'istio-system', `{ ${mode(c.meshMode)} }`);
  if (c.namespaceMode) out += pa('ns', 'prod', `{ ${mode(c.namespaceMode)} }`);
  if (c.workload) {
    const parts = ['selector: { matchLabels: { app: server } }', mode(c.workload.mode), c.workload.port9090 ? `portLevelMtls: { "9090": { mode: ${c.workload.port9090} } }` : ''];
    out += pa('server', 'prod', `{ ${parts.filter(Boolean).join(', ')} }`);
  }
  if (c.cniPorts) {
    const ports = c.cniPorts.map((p) => `{ port: ${p}, protocol: TCP }`).join(', ');
    out += '---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: server, namespace: prod }\nspec:\n  podSelector: { matchLabels: { app: server } }\n  policyTypes: [Ingress]\n'
      + `  ingress: [${c.cniPorts.length ? `{ from: [{ namespaceSelector: {} }], ports: [${ports}] }` : ''}]\n`;
  }
  if (c.allow) {
    out += '---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: server, namespace: prod }\nspec:\n  selector: { matchLabels: { app: server } }\n'
      + `  rules: [{ from: [{ source: { principals: [cluster.local/ns/prod/sa/${c.allow.sa}] } }], to: [{ operation: { ports: [${c.allow.ports.map((p) => `"${p}"`).join(', ')}] } }] }]\n`;
  }
  return out;
}

/** The documented rules, one connection at a time. */
function brute(c: Case, s: Case['pods'][number], d: Case['pods'][number], port: number, protocol: Protocol): boolean {
  const server = d.ns === 'prod' && d.app === 'server';
  const set = (m: Mode | undefined) => m !== undefined && m !== 'UNSET';
  let mode: Mode = 'PERMISSIVE';
  if (set(c.meshMode)) mode = c.meshMode!;
  if (d.ns === 'prod' && set(c.namespaceMode)) mode = c.namespaceMode!;
  if (server && c.workload && set(c.workload.mode)) mode = c.workload.mode!;
  if (server && c.workload && set(c.workload.port9090) && port === 9090) mode = c.workload.port9090!;
  const tcp = protocol === 'TCP';
  const meshed = (e: End) => e !== 'none';
  // HBONE: every meshed client to an ambient server, an ambient client to a sidecar listening HBONE (a sidecar
  // client uses Istio mTLS on the port there); a tunnel is mTLS whatever the mode, else DISABLE means plaintext.
  const tunnel = tcp && meshed(s.end) && (d.end === 'ambient' || (d.end === 'sidecar+hbone' && s.end === 'ambient'));
  const mtls = tunnel || (tcp && meshed(s.end) && meshed(d.end) && s.end !== 'ambient' && mode !== 'DISABLE');
  const cniPort = tunnel ? 15008 : port;
  if (server && c.cniPorts && !(tcp && c.cniPorts.includes(cniPort))) return false;
  if (!meshed(d.end)) return true;
  if (tcp && mode === 'STRICT' && !mtls) return false;
  if (server && c.allow && tcp) return mtls && s.ns === 'prod' && s.sa === c.allow.sa && c.allow.ports.includes(port);
  return true;
}

describe('the mesh hops, against an independent brute force', () => {
  test(`exact engine, evaluate() and the brute force agree on ${RUNS} random meshes`, () => {
    fc.assert(fc.property(caseArb, (c) => {
      const cluster = ClusterModel.create({
        namespaces: [{ name: 'prod' }, { name: 'other' }],
        pods: c.pods.map((p, i) => ({
          namespace: p.ns,
          name: `p${i}`,
          labels: { app: p.app },
          serviceAccountName: p.sa,
          ips: [`10.0.0.${i + 1}`],
          mesh: p.end === 'sidecar+hbone' ? { enrollment: 'sidecar' as const, hbone: true } : { enrollment: p.end },
        })),
      });
      const analyzer = new ReachabilityAnalyzer(cluster, parsePolicies({ file: 'mesh.yaml', text: manifests(c) }));
      c.pods.forEach((s, i) => c.pods.forEach((d, j) => {
        if (i === j) return;
        const source = podEndpoint(s.ns, `p${i}`);
        const destination = podEndpoint(d.ns, `p${j}`);
        const set = analyzer.connectivity().connections(source, destination);
        for (const [port, protocol] of PROBES) {
          const want = brute(c, s, d, port, protocol);
          const got = [set.contains(port, protocol), analyzer.evaluate({ source, destination, port, protocol }).allowed];
          if (got[0] !== want || got[1] !== want) {
            throw new Error(`p${i} (${s.ns}/${s.sa} ${s.end}) -> p${j} (${d.ns}/${d.app} ${d.end}) ${port}/${protocol}: brute ${want}, sets ${got[0]}, evaluate ${got[1]}\n${manifests(c)}`);
          }
        }
      }));
    }), { numRuns: RUNS });
  });
});
