import * as fc from 'fast-check';
import { ClusterModel, PodInput } from '../../src/analysis';

/** Namespaces the generated intents and clusters use. */
export const NAMESPACES = ['alpha', 'beta', 'gamma'];
/** Label values the generated selectors and pods use. */
export const APPS = ['web', 'api', 'db'];
/** Service accounts pods run as. */
export const ACCOUNTS = ['default', 'svc'];

/** A generated cluster, as plain data so a failing case prints readably. */
export interface ClusterSpec {
  readonly teams: readonly string[];
  readonly pods: readonly { namespace: string; app: string; tier?: string; sa: string; httpPort: number }[];
}

/** A random cluster: the three namespaces (random `team` labels) and 1-8 pods; see `toCluster`. */
export function clusterArb(): fc.Arbitrary<ClusterSpec> {
  const pod = fc.record({
    namespace: fc.constantFrom(...NAMESPACES),
    app: fc.constantFrom(...APPS),
    tier: fc.option(fc.constantFrom('1', '2'), { nil: undefined }),
    sa: fc.constantFrom(...ACCOUNTS),
    httpPort: fc.constantFrom(8080, 9090),
  });
  return fc.record({
    teams: fc.tuple(fc.constantFrom('x', 'y'), fc.constantFrom('x', 'y'), fc.constantFrom('x', 'y')),
    pods: fc.array(pod, { minLength: 1, maxLength: 8 }),
  });
}

/** The cluster model of a spec, plus kube-system with a kube-dns pod. Every pod on its own node. */
export function toCluster({ teams, pods }: ClusterSpec): ClusterModel {
  {
    const inputs: PodInput[] = pods.map((p, i) => ({
      namespace: p.namespace,
      name: `p${i}`,
      labels: { app: p.app, ...(p.tier ? { tier: p.tier } : {}) },
      serviceAccountName: p.sa,
      ips: [`10.244.0.${i + 10}`, `fd00::${(i + 10).toString(16)}`],
      ports: [{ name: 'http', port: p.httpPort, protocol: 'TCP' as const }],
      nodeName: `node-${i}`,
    }));
    inputs.push({ namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' }, ips: ['10.244.1.2'], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }], nodeName: 'node-dns' });
    return ClusterModel.create({
      namespaces: [...NAMESPACES.map((name, i) => ({ name, labels: { team: teams[i] } })), { name: 'kube-system' }],
      pods: inputs,
    });
  }
}
