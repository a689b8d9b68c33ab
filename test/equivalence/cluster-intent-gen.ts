import { Construct } from 'constructs';
import * as fc from 'fast-check';
import { APPS, NAMESPACES } from './cluster-gen';
import {
  ClusterAllowDns, ClusterAlwaysAllow, ClusterDefaultDeny, ClusterDelegateToNamespaces, ClusterDeny, LabelExpression, Peer, PolicyDirection, Port,
  Workload,
} from '../../src';

/** A peer of a cluster-wide rule: pod peers always name their namespaces. */
export type ClusterPeerSpec =
  | { k: 'workload'; app: string; ns: string }
  | { k: 'namespace'; ns: string }
  | { k: 'nsLabels'; team: string; app?: string }
  | { k: 'allNamespaces'; app: string }
  | { k: 'anyone' }
  | { k: 'cidr'; cidr: string; except: string[] };

/** A port of a cluster-wide rule. */
export type ClusterPortSpec = 'tcp8080' | 'tcp9090' | 'tcp8000-8100' | 'udp53' | 'tcp53' | 'allTcp' | 'sctp3868' | 'allTraffic' | 'named-http';

/** A generated cluster-wide intent, as plain data so a failing case prints readably. */
export type ClusterIntentSpec =
  | { kind: 'ClusterDefaultDeny'; except: string[]; dirs: ('ingress' | 'egress')[] }
  | { kind: 'ClusterAllowDns'; except: string[]; priority: number }
  | {
    kind: 'ClusterRule';
    action: 'deny' | 'allow' | 'delegate';
    priority: number;
    dir: 'ingress' | 'egress';
    except: string[];
    team?: string;
    notTeam?: string;
    app?: string;
    peers: ClusterPeerSpec[];
    ports: ClusterPortSpec[];
  };

const ns = fc.constantFrom(...NAMESPACES);
const app = fc.constantFrom(...APPS);
const CIDRS: [string, string[]][] = [['192.0.2.0/24', []], ['0.0.0.0/0', ['10.0.0.0/8']], ['198.51.100.0/24', ['198.51.100.0/28']], ['10.244.0.0/24', ['10.244.0.12/31']], ['2001:db8::/32', []]];

/** Peers of cluster-wide rules (every engine's restrictions are applied by `expressibleOn`). */
export const clusterPeerArb: fc.Arbitrary<ClusterPeerSpec> = fc.oneof(
  fc.record({ k: fc.constant('workload' as const), app, ns }),
  fc.record({ k: fc.constant('namespace' as const), ns }),
  fc.record({ k: fc.constant('nsLabels' as const), team: fc.constantFrom('x', 'y'), app: fc.option(app, { nil: undefined }) }),
  fc.record({ k: fc.constant('allNamespaces' as const), app }),
  fc.constant({ k: 'anyone' as const }),
  fc.constantFrom(...CIDRS).map(([cidr, except]) => ({ k: 'cidr' as const, cidr, except })),
);

const portsArb = fc.uniqueArray(
  fc.constantFrom<ClusterPortSpec>('tcp8080', 'tcp9090', 'tcp8000-8100', 'udp53', 'tcp53', 'allTcp', 'sctp3868', 'allTraffic', 'named-http'),
  { minLength: 1, maxLength: 3 },
);
const exceptArb = fc.subarray(NAMESPACES, { maxLength: 2 });

const intentArb = (priority: number): fc.Arbitrary<ClusterIntentSpec> => fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('ClusterDefaultDeny' as const), except: exceptArb, dirs: fc.constantFrom<('ingress' | 'egress')[]>(['ingress'], ['egress'], ['ingress', 'egress']) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('ClusterAllowDns' as const), except: exceptArb, priority: fc.constant(priority) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('ClusterRule' as const),
      action: fc.constantFrom<'deny' | 'allow' | 'delegate'>('deny', 'allow', 'delegate'),
      priority: fc.constant(priority),
      dir: fc.constantFrom<'ingress' | 'egress'>('ingress', 'egress'),
      except: exceptArb,
      team: fc.option(fc.constantFrom('x', 'y'), { nil: undefined }),
      notTeam: fc.option(fc.constantFrom('x', 'y'), { nil: undefined }),
      app: fc.option(app, { nil: undefined }),
      peers: fc.array(clusterPeerArb, { minLength: 1, maxLength: 2 }),
      ports: portsArb,
    }, { requiredKeys: ['kind', 'action', 'priority', 'dir', 'except', 'peers', 'ports'] }),
  },
);

/**
 * 1-3 cluster-wide intents with distinct admin priorities (equal priorities with different actions
 * are a synthesis error, tested elsewhere), in a random order of construction.
 */
export function clusterIntentsArb(): fc.Arbitrary<ClusterIntentSpec[]> {
  return fc.uniqueArray(fc.constantFrom(5, 10, 20, 30, 40, 50, 1000), { minLength: 1, maxLength: 3 })
    .chain(priorities => fc.tuple(...priorities.map(intentArb)));
}

/** What an engine cannot express of the generated cluster-wide intents (see `expressibleOn`). */
export interface EngineLimits {
  readonly ingressPodsOnly?: boolean;
  readonly noNamedPorts?: boolean;
  readonly noDelegate?: boolean;
}

/**
 * The intents an engine can express exactly, with the fewest changes that get there: `ingressPodsOnly`
 * (ClusterNetworkPolicy) drops ingress peers that are not pods (replaced by a namespace when none is
 * left) and cluster-wide ingress default denies; `noNamedPorts` replaces the named port by TCP 8080;
 * `noDelegate` (Cilium) turns delegation into an allowance.
 */
export function expressibleOn(specs: ClusterIntentSpec[], limits: EngineLimits): ClusterIntentSpec[] {
  return specs.flatMap((s): ClusterIntentSpec[] => {
    if (s.kind === 'ClusterDefaultDeny') {
      if (!limits.ingressPodsOnly) return [s];
      const dirs = s.dirs.filter(d => d === 'egress');
      return dirs.length ? [{ ...s, dirs }] : [];
    }
    if (s.kind !== 'ClusterRule') return [s];
    let peers = s.peers;
    if (limits.ingressPodsOnly && s.dir === 'ingress') {
      peers = peers.filter(p => p.k !== 'anyone' && p.k !== 'cidr');
      if (peers.length === 0) peers = [{ k: 'namespace', ns: 'alpha' }];
    }
    const ports = limits.noNamedPorts ? [...new Set(s.ports.map(p => (p === 'named-http' ? 'tcp8080' : p)))] : s.ports;
    const action = limits.noDelegate && s.action === 'delegate' ? 'allow' : s.action;
    return [{ ...s, peers, ports, action }];
  });
}

function peer(p: ClusterPeerSpec): Peer {
  switch (p.k) {
    case 'workload': return Peer.workload(Workload.select({ app: p.app }, { namespace: p.ns }));
    case 'namespace': return Peer.namespace(p.ns);
    case 'nsLabels': return Peer.pods({ namespaceLabels: { team: p.team }, ...(p.app ? { podLabels: { app: p.app } } : {}) });
    case 'allNamespaces': return Peer.pods({ allNamespaces: true, podLabels: { app: p.app } });
    case 'anyone': return Peer.anyone();
    case 'cidr': return Peer.cidr(p.cidr, p.except);
  }
}

function port(p: ClusterPortSpec): Port {
  switch (p) {
    case 'tcp8080': return Port.tcp(8080);
    case 'tcp9090': return Port.tcp(9090);
    case 'tcp8000-8100': return Port.tcpRange(8000, 8100);
    case 'udp53': return Port.udp(53);
    case 'tcp53': return Port.tcp(53);
    case 'allTcp': return Port.allTcp();
    case 'sctp3868': return Port.sctp(3868);
    case 'allTraffic': return Port.allTraffic();
    case 'named-http': return Port.named('http');
  }
}

/** Creates the cluster-wide intents under `scope`. DNS guardrails are acknowledged: they are tested elsewhere. */
export function buildClusterIntents(scope: Construct, specs: ClusterIntentSpec[]): void {
  specs.forEach((s, i) => {
    const id = `c${i}`;
    switch (s.kind) {
      case 'ClusterDefaultDeny':
        new ClusterDefaultDeny(scope, id, {
          exceptNamespaces: s.except,
          directions: s.dirs.map(d => (d === 'ingress' ? PolicyDirection.INGRESS : PolicyDirection.EGRESS)),
          acknowledgeDnsBlocked: true,
        });
        break;
      case 'ClusterAllowDns':
        new ClusterAllowDns(scope, id, { exceptNamespaces: s.except, priority: s.priority });
        break;
      case 'ClusterRule': {
        const Intent = s.action === 'deny' ? ClusterDeny : s.action === 'allow' ? ClusterAlwaysAllow : ClusterDelegateToNamespaces;
        new Intent(scope, id, {
          priority: s.priority,
          direction: s.dir === 'ingress' ? PolicyDirection.INGRESS : PolicyDirection.EGRESS,
          exceptNamespaces: s.except,
          ...(s.team ? { namespaceLabels: { team: s.team } } : {}),
          ...(s.notTeam ? { namespaceExpressions: [LabelExpression.isNotIn('team', [s.notTeam])] } : {}),
          ...(s.app ? { podLabels: { app: s.app } } : {}),
          peers: s.peers.map(peer),
          ports: s.ports.map(port),
        });
        break;
      }
    }
  });
}
