import * as fc from 'fast-check';
import { ClusterModel, ObservedFlow, podEndpoint, Protocol } from '../../../src/analysis';
import { ObservedConnectionsReader } from '../../../src/importer/recommend/observed-connections';
import { runRecommend } from '../../../src/importer/recommend/run-recommend';

// The app recommend writes allows exactly what docs/RECOMMEND.md says, on every engine: a brute force
// written here from that page — a pod of an isolated namespace (one with an observed pod) may send or
// receive only what an observed flow between a pod of its workload and a pod of the other end's workload
// did, on that port and protocol; a pod of another namespace is not restricted; a pod reaches itself —
// is compared with the exact engine over the synthesized policies, for every pair of pods, port and
// protocol of a small random cluster (workloads by controller or merged, with --merge-workloads).
const PORTS = [53, 80, 443];
const PROTOCOLS: Protocol[] = ['TCP', 'UDP'];
const RUNS = Number(process.env.RECOMMEND_PROPERTY_RUNS ?? 100);

const podArb = fc.record({
  namespace: fc.constantFrom('a', 'b', 'c'),
  app: fc.constantFrom('x', 'y'),
  owner: fc.option(fc.constantFrom('x', 'y'), { nil: undefined }),
});
const flowArb = fc.record({ s: fc.nat(5), d: fc.nat(5), port: fc.constantFrom(...PORTS), protocol: fc.constantFrom(...PROTOCOLS) });

describe('recommend', () => {
  test('allows exactly the observed flows closed over workloads, on every engine (property, brute force)', () => {
    fc.assert(fc.property(fc.array(podArb, { minLength: 2, maxLength: 6 }), fc.array(flowArb, { minLength: 1, maxLength: 6 }),
      fc.constantFrom('kubernetes' as const, 'cilium' as const, 'calico' as const), (specs, flows, engine) => {
        const pods = specs.map((p, i) => ({
          namespace: p.namespace,
          name: `p${i}`,
          labels: { app: p.app },
          ips: [`10.0.0.${i + 1}`],
          ...(p.owner ? { owner: { kind: 'StatefulSet', name: p.owner } } : {}),
        }));
        const cluster = ClusterModel.create({ namespaces: [{ name: 'a' }, { name: 'b' }, { name: 'c' }], pods });
        const observed = flows.filter(f => f.s < pods.length && f.d < pods.length && f.s !== f.d);
        fc.pre(observed.length > 0);
        const reader = new ObservedConnectionsReader(cluster);
        observed.forEach((f, i) => {
          const flow: ObservedFlow = {
            source: { kind: 'pod', namespace: pods[f.s].namespace, name: pods[f.s].name },
            destination: { kind: 'pod', namespace: pods[f.d].namespace, name: pods[f.d].name },
            protocol: f.protocol,
            port: f.port,
            observation: { kind: 'allowed', scope: 'connection' },
          };
          reader.flow(flow, 1, i + 2);
        });
        const run = runRecommend(cluster, reader.finish(), { engine, flowFile: 'flows.csv', mergeUnseparable: true });
        const isolated = new Set(observed.flatMap(f => [pods[f.s].namespace, pods[f.d].namespace]));
        expect(run.recommendation.isolatedNamespaces).toEqual([...isolated].sort());
        // The workload of each pod, as the recommendation grouped them (their exactness is workload-selection's property).
        const workloadOf = new Map<string, number>();
        [...run.recommendation.isolatedWorkloads, ...run.recommendation.workloads].forEach((w, i) => w.pods.forEach(p => {
          if (!workloadOf.has(p.name)) workloadOf.set(p.name, i);
        }));
        const sameWorkload = (x: number, y: number) =>
          x === y || (workloadOf.has(pods[x].name) && workloadOf.get(pods[x].name) === workloadOf.get(pods[y].name));
        const observedBetween = (s: number, d: number, port: number, protocol: Protocol) =>
          observed.some(f => f.port === port && f.protocol === protocol && sameWorkload(f.s, s) && sameWorkload(f.d, d));
        for (let s = 0; s < pods.length; s++) {
          for (let d = 0; d < pods.length; d++) {
            const connections = run.proof.analyzer.connections(
              podEndpoint(pods[s].namespace, pods[s].name), podEndpoint(pods[d].namespace, pods[d].name));
            for (const port of PORTS) {
              for (const protocol of PROTOCOLS) {
                const allowedHere = observedBetween(s, d, port, protocol);
                const expected = s === d
                  || ((!isolated.has(pods[s].namespace) || allowedHere) && (!isolated.has(pods[d].namespace) || allowedHere));
                if (connections.contains(port, protocol) !== expected) {
                  throw new Error(`${engine}: p${s} (${pods[s].namespace}) -> p${d} (${pods[d].namespace}) ${protocol} ${port}: `
                    + `the app ${expected ? 'denies' : 'allows'} it, the brute force ${expected ? 'allows' : 'denies'} it`);
                }
              }
            }
          }
        }
      }), { numRuns: RUNS });
  });
});
