import { CnpDialectOptions } from './capabilities';
import { cidrDifference } from './cidr-difference';
import { kubeSelector as kube, NAMESPACE_NAME_LABEL } from './kube-selector';
import {
  ClusterAllowStatement, ClusterIsolateStatement, ClusterRuleStatement, ClusterSubjectModel, DirectionModel, intersectSelectors, isEverything,
  labelSelector, PeerModel, peerToString, PortModel, portToString, statementToString,
} from '../../model';
import { RenderContext, RenderedObject } from '../dialect';
import { constructPathOf, intentRuleName } from '../intent-metadata';

/** The API group of ClusterNetworkPolicy (network-policy-api). */
export const CNP_GROUP = 'policy.networking.k8s.io';
/** The priority of our Baseline-tier deny-alls: after every other Baseline rule (they only deny, so their order among each other does not matter). */
export const BASELINE_DENY_PRIORITY = 1000;
/** The API's list limits (`MaxItems=25` on rules per direction, peers per rule, protocols per rule and CIDRs per peer). */
const MAX_ITEMS = 25;
/** A rule's `name`: at most 100 characters (the CRD's maxLength). */
const MAX_RULE_NAME = 100;
const EVERY_ADDRESS = ['0.0.0.0/0', '::/0'];

type ClusterStatement = ClusterRuleStatement | ClusterIsolateStatement | ClusterAllowStatement;
type Json = Record<string, unknown>;
type Action = 'Accept' | 'Deny' | 'Pass';

/** Options the renderer needs besides the ClusterNetworkPolicy options. */
export interface CnpRenderOptions {
  readonly cnp: CnpDialectOptions;
  /** The label that carries each pod's service-account name (opt-in approximation), if any. */
  readonly serviceAccountLabel?: string;
}

const ACTIONS: Record<ClusterRuleStatement['action'], Action> = { deny: 'Deny', allow: 'Accept', delegate: 'Pass' };

/**
 * What the chosen implementation or the API itself cannot express about a
 * cluster-wide statement, each a synthesis error with a fix. The capability
 * table has already accepted the statement's features; these are the limits
 * that depend on the implementation profile or on the statement's shape.
 */
export function clusterNetworkPolicyProblems(s: ClusterStatement, options: CnpRenderOptions): string[] {
  const { cnp } = options;
  const p = cnp.profile;
  const out: string[] = [];
  const where = () => `in: ${statementToString(s)}`;
  const cite = ` (${p.source})`;
  if (p.apiVersions.length === 0) {
    out.push(`${p.name} implements the older AdminNetworkPolicy / BaselineAdminNetworkPolicy API (v1alpha1), not ClusterNetworkPolicy${cite}, so it would enforce none of these objects; ${where()}. `
      + 'Fix: use an implementation of ClusterNetworkPolicy, or Engine.calico() / Engine.cilium() for cluster-wide intents.');
  } else if (!cnp.enabled) {
    out.push(`${p.name} enforces ClusterNetworkPolicy only when its support is turned on, which it is not by default: ${p.howToEnable}${cite}; ${where()}. `
      + `Fix: turn it on in the cluster and declare it with ClusterNetworkPolicyImplementation.${factory(p.id)}({ enabled: true }).`);
  }
  const reads = p.apiVersions.includes(cnp.apiVersion) || (cnp.apiVersion === 'v1beta1' && cnp.readsV1beta1);
  if (!reads && p.apiVersions.length > 0) {
    out.push(`${p.name} reads ClusterNetworkPolicy ${p.apiVersions.join(', ')}, not ${cnp.apiVersion}${cite}; ${where()}. `
      + `Fix: write ${p.apiVersions[0]} (the default apiVersion), or, if your version reads ${cnp.apiVersion}, declare it with ClusterNetworkPolicyImplementation.${factory(p.id)}({ readsV1beta1: true }).`);
  }
  const needsBaseline = s.kind === 'isolate-cluster' || s.kind === 'allow-cluster';
  if (needsBaseline && !p.baselineTier) {
    out.push(`${p.name} does not implement the Baseline tier${cite}, which holds the cluster-wide default deny; ${where()}. Fix: choose an implementation with it, or use Engine.calico().`);
  }
  if (s.kind !== 'isolate-cluster' && (s.priority < p.minPriority || s.priority > p.maxPriority)) {
    out.push(`${p.name} accepts priorities ${p.minPriority}-${p.maxPriority}, but the intent has priority ${s.priority}${cite}; ${where()}. Fix: renumber the cluster-wide rules into that range.`);
  }
  const directions: DirectionModel[] = s.kind === 'isolate-cluster' ? [...s.directions] : [s.direction];
  if (needsBaseline && directions.includes('ingress') && !cnp.baselineIngressFromPodsOnly) {
    out.push(`the kubernetes engine cannot express a cluster-wide ingress default deny exactly: ClusterNetworkPolicy ingress rules name pods and namespaces only (network-policy-api v1alpha2 ClusterNetworkPolicyIngressPeer), so connections from outside the cluster and from nodes to pods no NetworkPolicy selects would stay open; ${where()}. `
      + 'Fix: deny ingress per namespace with DefaultDeny, use Engine.calico() or Engine.cilium(), or opt into the approximation with Engine.kubernetes({ clusterNetworkPolicy: { baselineIngressFromPodsOnly: true } }), which leaves those connections open.');
  }
  if (s.kind !== 'isolate-cluster') {
    if (s.direction === 'ingress') {
      const notPods = s.peers.filter(x => x.kind !== 'pods');
      if (notPods.length) {
        out.push(`the kubernetes engine cannot express ingress from ${notPods.map(peerToString).join(', ')} in a ClusterNetworkPolicy: its ingress rules name pods and namespaces only (network-policy-api v1alpha2 ClusterNetworkPolicyIngressPeer); ${where()}. `
          + 'Fix: name the source pods or namespaces, or use Engine.calico() or Engine.cilium().');
      }
    }
    const named = s.ports.filter(x => x.protocol !== 'ANY' && typeof x.port === 'string');
    if (named.length) {
      out.push(`the kubernetes engine cannot express the named port(s) ${named.map(portToString).join(', ')} in a ClusterNetworkPolicy exactly: destinationNamedPort matches a container port by name whatever its protocol, while the intent also names the protocol; ${where()}. Fix: use the port number.`);
    }
    const ranged = s.ports.filter(x => x.protocol !== 'ANY' && (x.endPort !== undefined || x.port === undefined));
    if (ranged.length && !p.portRanges) {
      out.push(`${p.name} does not implement port ranges (destinationPort.range), which ${ranged.map(portToString).join(', ')} need${cite}; ${where()}. Fix: list single ports.`);
    }
  }
  const egressPeers: readonly PeerModel[] = s.kind === 'isolate-cluster' ? (directions.includes('egress') ? [{ kind: 'anyone' }] : [])
    : s.direction === 'egress' ? [...s.peers, ...(s.kind === 'allow-cluster' ? [{ kind: 'anyone' } as const] : [])] : [];
  const byAddress = egressPeers.filter(x => x.kind !== 'pods');
  if (byAddress.length && !p.networks) {
    out.push(`${p.name} does not implement networks peers${cite}, which ${byAddress.map(x => (x.kind === 'anyone' ? 'a deny or allowance of every destination' : peerToString(x))).join(', ')} need; ${where()}. Fix: choose an implementation with networks, or use Engine.calico() or Engine.cilium().`);
  } else if (egressPeers.some(x => x.kind === 'anyone') && !p.networksMatchNodes) {
    out.push(`${p.name} matches networks peers only against addresses outside the cluster, not against nodes${cite}, so a ClusterNetworkPolicy cannot name every destination: connections to nodes would escape ${s.kind === 'cluster-rule' ? 'the rule' : 'the default deny'}; ${where()}. `
      + 'Fix: use Engine.cilium() (CiliumClusterwideNetworkPolicy, which names nodes by entity) for this intent.');
  }
  for (const o of renderClusterStatement(s, undefined, options)) {
    for (const dir of ['ingress', 'egress'] as const) {
      const list = ((o.body.spec as Json)[dir] as unknown[] | undefined) ?? [];
      if (list.length > MAX_ITEMS) {
        out.push(`the ClusterNetworkPolicy ${o.name} would need ${list.length} ${dir} rules, more than the API's ${MAX_ITEMS}; ${where()}. Fix: split the intent into several with fewer peers or ports.`);
      }
    }
  }
  return out;
}

/**
 * Renders a cluster-wide statement to ClusterNetworkPolicy objects:
 *
 * - an admin rule: one Admin-tier policy at its priority, one rule per chunk of peers and ports, with
 *   its action (Deny, Accept, Pass);
 * - a cluster-wide default deny: one Baseline-tier policy (priority 1000) with a Deny rule per
 *   direction: ingress from every namespace (pods only: the API has no other ingress peer), egress to
 *   every namespace and every address (`networks` 0.0.0.0/0 and ::/0, which cover pods and nodes too);
 * - a cluster-wide allowance: an Admin-tier Accept at its priority, which holds against every
 *   namespace's own default deny, and the Baseline-tier deny of its direction that isolates the pods
 *   no NetworkPolicy selects, as the intent says.
 *
 * CIDRs with exceptions become the blocks of their difference (`networks` has no `except`).
 * `ctx` is undefined only when rendering to count rules.
 */
export function renderClusterStatement(s: ClusterStatement, ctx: RenderContext | undefined, options: CnpRenderOptions): RenderedObject[] {
  const name = (suffix?: string) => (ctx ? ctx.objectName(s.origin, suffix) : [s.origin.baseName, suffix].filter(Boolean).join('-'));
  const apiVersion = `${CNP_GROUP}/${options.cnp.apiVersion}`;
  const object = (objectName: string, spec: Json): RenderedObject => ({
    apiVersion, kind: 'ClusterNetworkPolicy', name: objectName, body: { spec }, id: objectName, origin: s.origin,
  });
  const denyAll = (directions: readonly DirectionModel[], subject: ClusterSubjectModel, ruleName: string): Json => {
    const spec: Json = { tier: 'Baseline', priority: BASELINE_DENY_PRIORITY, subject: subjectOf(subject) };
    if (directions.includes('ingress')) spec.ingress = [{ name: ruleName, action: 'Deny', from: [{ namespaces: {} }] }];
    if (directions.includes('egress')) spec.egress = [{ name: ruleName, action: 'Deny', to: anyoneEgress() }];
    return spec;
  };
  switch (s.kind) {
    case 'isolate-cluster': {
      const n = name();
      return [object(n, denyAll(s.directions, everyPodExcept(s.exceptNamespaces), intentRuleName(constructPathOf(s.origin), 'default-deny', MAX_RULE_NAME)))];
    }
    case 'allow-cluster': {
      const subject = everyPodExcept(s.exceptNamespaces);
      const accept = rules('Accept', s.direction, s.peers, s.ports, constructPathOf(s.origin), options);
      const admin = object(name(s.purpose === 'dns' ? undefined : s.direction), { tier: 'Admin', priority: s.priority, subject: subjectOf(subject), [s.direction]: accept });
      return [admin, object(name(s.purpose === 'dns' ? 'isolation' : `${s.direction}-isolation`), denyAll([s.direction], subject, intentRuleName(constructPathOf(s.origin), 'isolation', MAX_RULE_NAME)))];
    }
    case 'cluster-rule':
      return [object(name(), {
        tier: 'Admin', priority: s.priority, subject: subjectOf(s.subject), [s.direction]: rules(ACTIONS[s.action], s.direction, s.peers, s.ports, constructPathOf(s.origin), options),
      })];
  }
}

function everyPodExcept(exceptNamespaces: readonly string[]): ClusterSubjectModel {
  return { exceptNamespaces, pods: labelSelector() };
}

/** `subject`: the covered namespaces (NotIn the exceptions, AND their labels), and the pods when selected by labels. */
function subjectOf(s: ClusterSubjectModel): Json {
  const notExcepted = labelSelector({}, [{ key: NAMESPACE_NAME_LABEL, operator: 'NotIn', values: [...s.exceptNamespaces] }]);
  const namespaces = s.namespaces ? intersectSelectors(notExcepted, s.namespaces) : notExcepted;
  return isEverything(s.pods) ? { namespaces: kube(namespaces) } : { pods: { namespaceSelector: kube(namespaces), podSelector: kube(s.pods) } };
}

/** The rules of one direction: every chunk of peers times every chunk of protocols, all with the action. */
function rules(action: Action, direction: DirectionModel, peers: readonly PeerModel[], ports: readonly PortModel[], intentPath: string,
  options: CnpRenderOptions): Json[] {
  const peerList = peers.flatMap(p => peerEntries(p, options));
  const protocols = ports.some(p => p.protocol === 'ANY') ? undefined : ports.map(protocolEntry);
  const peerChunks = chunks(peerList);
  const protocolChunks = protocols ? chunks(protocols) : [undefined];
  const out: Json[] = [];
  for (const peerChunk of peerChunks) {
    for (const protocolChunk of protocolChunks) {
      const n = intentRuleName(intentPath, out.length === 0 ? undefined : String(out.length + 1), MAX_RULE_NAME);
      out.push({
        name: n,
        action,
        [direction === 'ingress' ? 'from' : 'to']: peerChunk,
        ...(protocolChunk ? { protocols: protocolChunk } : {}),
      });
    }
  }
  return out;
}

/** The peer entries that together match a model peer (several for `anyone` and for CIDRs split into blocks). */
function peerEntries(p: PeerModel, options: CnpRenderOptions): Json[] {
  switch (p.kind) {
    case 'anyone':
      return anyoneEgress();
    case 'cidr':
      return chunks(cidrDifference(p.cidr, p.except)).map(networks => ({ networks }));
    case 'node-local-dns':
      return [{ networks: [p.cidr] }];
    case 'kube-apiserver':
      return chunks([...p.cidrs]).map(networks => ({ networks }));
    case 'fqdn':
      // Never reached: no cluster-wide intent has DNS-name peers.
      throw new Error('unsupported peer fqdn');
    case 'pods': {
      const namespaces = p.namespaces.kind === 'name' ? { matchLabels: { [NAMESPACE_NAME_LABEL]: p.namespaces.name } }
        : p.namespaces.kind === 'labels' ? kube(p.namespaces.selector) : {};
      // Only reachable with the service-account label opt-in (capability table).
      const pods = p.serviceAccount ? intersectSelectors(p.pods, labelSelector({ [options.serviceAccountLabel!]: p.serviceAccount })) : p.pods;
      return [isEverything(pods) ? { namespaces } : { pods: { namespaceSelector: namespaces, podSelector: kube(pods) } }];
    }
  }
}

/** Every pod (namespaces `{}`) and every address (which also covers nodes and, again, pods). */
function anyoneEgress(): Json[] {
  return [{ namespaces: {} }, { networks: [...EVERY_ADDRESS] }];
}

function protocolEntry(p: PortModel): Json {
  if (p.protocol === 'ANY') throw new Error('unreachable: all traffic is a rule without protocols');
  const key = p.protocol.toLowerCase();
  if (typeof p.port === 'string') return { destinationNamedPort: p.port }; // refused by the check; kept for counting
  const destinationPort = p.port === undefined ? { range: { start: 1, end: 65535 } }
    : p.endPort !== undefined ? { range: { start: p.port, end: p.endPort } } : { number: p.port };
  return { [key]: { destinationPort } };
}

function chunks<T>(xs: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += MAX_ITEMS) out.push(xs.slice(i, i + MAX_ITEMS));
  return out.length ? out : [[]];
}

function factory(id: string): string {
  return id === 'ovn-kubernetes' ? 'ovnKubernetes' : id === 'kube-network-policies' ? 'kubeNetworkPolicies' : id;
}
