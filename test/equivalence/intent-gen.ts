import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { ACCOUNTS, APPS, ClusterSpec, NAMESPACES } from './cluster-gen';
import { AllowDns, AllowFrom, AllowTo, DefaultDeny, EgressToCidr, LabelExpression, Peer, PolicyDirection, Port, Workload } from '../../src';

/** A generated peer, as plain data so a failing case prints readably. */
export type PeerSpec =
  | { k: 'workload'; app: string; ns?: string }
  | { k: 'namespace'; ns: string }
  | { k: 'nsLabels'; team: string; app?: string }
  | { k: 'allNamespaces'; app: string }
  | { k: 'notApp'; app: string }
  | { k: 'anyone' }
  | { k: 'serviceAccount'; name: string; ns?: string }
  | { k: 'cidr'; cidr: string; except?: string[] }
  /** A workload that declares its account (`<app>-sa`) exclusive: only on clusters where that holds (`withAccountsByApp`). */
  | { k: 'exclusive'; app: string; ns?: string };

/** A generated port. */
export type PortSpec = 'tcp8080' | 'tcp9090' | 'named-http' | 'tcp8000-8100' | 'udp53' | 'allTcp' | 'sctp3868' | 'allTraffic';

/** A generated intent. */
export type IntentSpec =
  | { kind: 'DefaultDeny'; ns: string; dirs: ('ingress' | 'egress')[]; app?: string }
  | { kind: 'AllowDns'; ns: string; app?: string }
  | { kind: 'AllowFrom'; ns: string; app: string; tier?: string; exclusive?: boolean; peers: PeerSpec[]; ports: PortSpec[] }
  | { kind: 'EgressToCidr'; ns: string; app: string; cidr: string; except: string[]; ports: PortSpec[] }
  /** `app` undefined: every pod of the namespace; `sa`: the workload's service account. */
  | { kind: 'AllowTo'; ns: string; app?: string; sa?: string; exclusive?: boolean; peers: PeerSpec[]; ports: PortSpec[] };

const ns = fc.constantFrom(...NAMESPACES);
const app = fc.constantFrom(...APPS);
const ports = fc.uniqueArray(fc.constantFrom<PortSpec>('tcp8080', 'tcp9090', 'named-http', 'tcp8000-8100', 'udp53', 'allTcp', 'sctp3868', 'allTraffic'), { minLength: 1, maxLength: 3 });
const cidrs: [string, string[]][] = [['192.0.2.0/24', []], ['0.0.0.0/0', ['10.0.0.0/8', '192.168.0.0/16']], ['198.51.100.0/24', ['198.51.100.0/28']], ['2001:db8::/32', []]];

/**
 * The cluster with every pod running as `<app>-sa`: the account of each app is exclusive to it, as the
 * `exclusive` peers and subjects declare.
 */
export function withAccountsByApp(cluster: ClusterSpec): ClusterSpec {
  return { ...cluster, pods: cluster.pods.map(p => ({ ...p, sa: `${p.app}-sa` })) };
}

/** Peers that every CNI dialect can express (no identities unless `withIdentity`; exclusive accounts if `exclusive`). */
export function peerArb(withIdentity: boolean, exclusive = false): fc.Arbitrary<PeerSpec> {
  const base: fc.Arbitrary<PeerSpec>[] = [
    fc.record({ k: fc.constant('workload' as const), app, ns: fc.option(ns, { nil: undefined }) }),
    fc.record({ k: fc.constant('namespace' as const), ns }),
    fc.record({ k: fc.constant('nsLabels' as const), team: fc.constantFrom('x', 'y'), app: fc.option(app, { nil: undefined }) }),
    fc.record({ k: fc.constant('allNamespaces' as const), app }),
    fc.record({ k: fc.constant('notApp' as const), app }),
    fc.constant({ k: 'anyone' as const }),
    fc.constantFrom(...cidrs).map(([cidr, except]) => ({ k: 'cidr' as const, cidr, except })),
  ];
  if (withIdentity) base.push(fc.record({ k: fc.constant('serviceAccount' as const), name: fc.constantFrom(...ACCOUNTS), ns: fc.option(ns, { nil: undefined }) }));
  if (exclusive) base.push(exclusivePeerArb, exclusivePeerArb);
  return fc.oneof(...base);
}

/** A workload that declares its account exclusive, as a peer. */
export const exclusivePeerArb: fc.Arbitrary<PeerSpec> = fc.record({ k: fc.constant('exclusive' as const), app, ns: fc.option(ns, { nil: undefined }) })
  .map(({ ns: n, ...rest }) => ({ ...rest, ...(n ? { ns: n } : {}) }));

/** A random list of intents; with `exclusive`, also workloads that declare their account exclusive (see withAccountsByApp). */
export function intentsArb(options: { withIdentity?: boolean; exclusive?: boolean } = {}): fc.Arbitrary<IntentSpec[]> {
  const exclusive = options.exclusive ?? false;
  const intent: fc.Arbitrary<IntentSpec> = fc.oneof(
    fc.record({ kind: fc.constant('DefaultDeny' as const), ns, dirs: fc.constantFrom<('ingress' | 'egress')[]>(['ingress'], ['egress'], ['ingress', 'egress']), app: fc.option(app, { nil: undefined }) }),
    fc.record({ kind: fc.constant('AllowDns' as const), ns, app: fc.option(app, { nil: undefined }) }),
    fc.record({
      kind: fc.constant('AllowFrom' as const),
      ns,
      app,
      tier: fc.option(fc.constantFrom('1', '2'), { nil: undefined }),
      exclusive: exclusive ? fc.boolean() : fc.constant(false),
      peers: fc.array(peerArb(options.withIdentity ?? false, exclusive), { minLength: 1, maxLength: 3 }),
      ports,
    }).map(({ exclusive: x, ...rest }) => ({ ...rest, ...(x ? { exclusive: true } : {}) })),
    fc.constantFrom(...cidrs).chain(([cidr, except]) => fc.record({ kind: fc.constant('EgressToCidr' as const), ns, app, cidr: fc.constant(cidr), except: fc.constant(except), ports })),
    allowToArb(peerArb(options.withIdentity ?? false, exclusive), ports, options.withIdentity ?? false, exclusive),
  );
  return fc.array(intent, { minLength: 1, maxLength: 6 });
}

/** An AllowTo from a workload (or every pod of a namespace, optionally with a service account) to peers. */
export function allowToArb(
  peers: fc.Arbitrary<PeerSpec>, portList: fc.Arbitrary<PortSpec[]>, withIdentity: boolean, exclusive = false,
): fc.Arbitrary<IntentSpec> {
  return fc.record({
    kind: fc.constant('AllowTo' as const),
    ns,
    app: fc.option(app, { nil: undefined }),
    sa: withIdentity ? fc.option(fc.constantFrom(...ACCOUNTS), { nil: undefined }) : fc.constant(undefined),
    exclusive: exclusive ? fc.boolean() : fc.constant(false),
    peers: fc.array(peers, { minLength: 1, maxLength: 3 }),
    ports: portList,
  }).map(({ sa, app: a, exclusive: x, ...rest }) => ({
    ...rest, ...(a ? { app: a } : {}), ...(a && x ? { sa: `${a}-sa`, exclusive: true } : sa ? { sa } : {}),
  }));
}

function port(p: PortSpec): Port {
  switch (p) {
    case 'tcp8080': return Port.tcp(8080);
    case 'tcp9090': return Port.tcp(9090);
    case 'named-http': return Port.named('http');
    case 'tcp8000-8100': return Port.tcpRange(8000, 8100);
    case 'udp53': return Port.udp(53);
    case 'allTcp': return Port.allTcp();
    case 'sctp3868': return Port.sctp(3868);
    case 'allTraffic': return Port.allTraffic();
  }
}

function peer(p: PeerSpec): Peer {
  switch (p.k) {
    case 'workload': return Peer.workload(Workload.select({ app: p.app }, p.ns ? { namespace: p.ns } : {}));
    case 'namespace': return Peer.namespace(p.ns);
    case 'nsLabels': return Peer.pods({ namespaceLabels: { team: p.team }, ...(p.app ? { podLabels: { app: p.app } } : {}) });
    case 'allNamespaces': return Peer.pods({ allNamespaces: true, podLabels: { app: p.app } });
    case 'notApp': return Peer.pods({ podExpressions: [LabelExpression.isNotIn('app', [p.app])] });
    case 'anyone': return Peer.anyone();
    case 'serviceAccount': return Peer.serviceAccount(p.name, p.ns);
    case 'cidr': return Peer.cidr(p.cidr, p.except);
    case 'exclusive': return Peer.workload(Workload.select({ app: p.app }, { serviceAccount: `${p.app}-sa`, exclusiveServiceAccount: true, ...(p.ns ? { namespace: p.ns } : {}) }));
  }
}

/** Creates the intents under `scope`. DNS guardrails are acknowledged: they are tested elsewhere. */
export function buildIntents(scope: Construct, specs: IntentSpec[]): void {
  specs.forEach((s, i) => {
    const id = `i${i}`;
    switch (s.kind) {
      case 'DefaultDeny':
        new DefaultDeny(scope, id, {
          namespace: s.ns,
          directions: s.dirs.map(d => (d === 'ingress' ? PolicyDirection.INGRESS : PolicyDirection.EGRESS)),
          ...(s.app ? { pods: Workload.select({ app: s.app }) } : {}),
          acknowledgeDnsBlocked: true,
        });
        break;
      case 'AllowDns':
        new AllowDns(scope, id, { namespace: s.ns, ...(s.app ? { pods: Workload.select({ app: s.app }) } : {}) });
        break;
      case 'AllowFrom':
        new AllowFrom(scope, id, {
          namespace: s.ns,
          to: Workload.select({ app: s.app, ...(s.tier ? { tier: s.tier } : {}) }, s.exclusive ? { serviceAccount: `${s.app}-sa`, exclusiveServiceAccount: true } : {}),
          peers: s.peers.map(peer),
          ports: s.ports.map(port),
        });
        break;
      case 'AllowTo': {
        const identity = s.sa ? { serviceAccount: s.sa, ...(s.exclusive ? { exclusiveServiceAccount: true } : {}) } : {};
        new AllowTo(scope, id, {
          namespace: s.ns,
          workload: s.app ? Workload.select({ app: s.app }, identity) : Workload.allPods(identity),
          peers: s.peers.map(peer),
          ports: s.ports.map(port),
          acknowledgeDnsBlocked: true,
        });
        break;
      }
      case 'EgressToCidr':
        new EgressToCidr(scope, id, {
          namespace: s.ns,
          workload: Workload.select({ app: s.app }),
          cidr: s.cidr,
          exceptCidrs: s.except,
          ports: s.ports.map(port),
          acknowledgeDnsBlocked: true,
        });
        break;
    }
  });
}

/** The intents as readable TypeScript-like lines, for a shrunk counterexample. */
export function describeIntents(specs: IntentSpec[]): string {
  return specs.map((s, i) => `  i${i}: ${JSON.stringify(s)}`).join('\n');
}

