import { PeerModel, PortModel, Statement } from '../model';

/**
 * A model feature whose support a dialect declares. Every statement is
 * reduced to the features it uses before rendering, so an engine that cannot
 * express one fails synthesis instead of dropping or widening intent.
 */
export type Feature =
  | 'isolate.ingress'
  | 'isolate.egress'
  | 'allow.ingress'
  | 'allow.egress'
  | 'allow.source-half'
  | 'subject.service-account'
  | 'peer.pods-same-namespace'
  | 'peer.pods-other-namespace'
  | 'peer.namespace-labels'
  | 'peer.all-namespaces'
  | 'peer.service-account'
  | 'peer.cidr'
  | 'peer.anyone'
  | 'port.number'
  | 'port.range'
  | 'port.named'
  | 'port.named-egress'
  | 'port.all-of-protocol'
  | 'port.all-traffic'
  | 'protocol.sctp'
  | 'allow.http'
  | 'peer.fqdn'
  | 'peer.kube-apiserver'
  | 'peer.kube-apiserver-cidrs'
  | 'peer.node-local-dns'
  | 'stage.audit'
  | 'subject.all-namespaces'
  | 'mtls.strict'
  | 'mtls.permissive'
  | 'mtls.port-exception'
  | 'admin.deny'
  | 'admin.allow'
  | 'admin.delegate';

/** Human-readable names of features, for error messages. */
export const FEATURE_DESCRIPTIONS: Readonly<Record<Feature, string>> = {
  'isolate.ingress': 'default deny of ingress',
  'isolate.egress': 'default deny of egress',
  'allow.ingress': 'ingress allowances',
  'allow.egress': 'egress allowances',
  'allow.source-half': 'the source-side egress allowance of AllowFrom',
  'subject.service-account': 'selecting the protected pods by service account',
  'peer.pods-same-namespace': 'peers selected by pod labels in the same namespace',
  'peer.pods-other-namespace': 'peers selected by pod labels in another namespace',
  'peer.namespace-labels': 'peers selected by namespace labels',
  'peer.all-namespaces': 'peers in every namespace',
  'peer.service-account': 'service-account (identity) peers',
  'peer.cidr': 'CIDR peers',
  'peer.anyone': 'the "anyone" peer',
  'port.number': 'single ports',
  'port.range': 'port ranges',
  'port.named': 'named ports',
  'port.named-egress': 'named ports on egress (resolved against the destination pods)',
  'port.all-of-protocol': 'every port of a protocol',
  'port.all-traffic': 'all traffic (every protocol)',
  'protocol.sctp': 'SCTP',
  'allow.http': 'L7 HTTP method and path rules',
  'peer.fqdn': 'DNS-name (FQDN) egress',
  'peer.kube-apiserver': 'the Kubernetes API server as a peer without its addresses',
  'peer.kube-apiserver-cidrs': 'the Kubernetes API server as a peer, by the addresses you gave',
  'peer.node-local-dns': 'NodeLocal DNSCache on the host network',
  'stage.audit': 'audit-only (staged / dry-run) policies',
  'mtls.strict': 'STRICT mutual TLS (only mesh connections accepted)',
  'mtls.permissive': 'PERMISSIVE mutual TLS (mesh and plaintext connections accepted)',
  'mtls.port-exception': 'a per-port mutual-TLS mode that differs from the workload\'s',
  'subject.all-namespaces': 'one policy for every namespace except a list (cluster-wide, including namespaces created later)',
  'admin.deny': 'a cluster-wide guardrail that denies connections before any namespace policy (ClusterDeny)',
  'admin.allow': 'a cluster-wide rule that always allows connections, whatever namespace policies say (ClusterAlwaysAllow, ClusterAllowDns)',
  'admin.delegate': 'a cluster-wide rule that delegates connections to namespace policies, skipping later cluster-wide rules (ClusterDelegateToNamespaces)',
};

/** The features a statement uses. */
export function featuresOf(s: Statement): Feature[] {
  const out = new Set<Feature>();
  if (s.kind === 'isolate') {
    s.directions.forEach(d => out.add(d === 'ingress' ? 'isolate.ingress' : 'isolate.egress'));
    if (s.subject.serviceAccount) out.add('subject.service-account');
    if (s.stage === 'audit') out.add('stage.audit');
    return [...out];
  }
  if (s.kind === 'mtls') {
    out.add(s.mode === 'STRICT' ? 'mtls.strict' : 'mtls.permissive');
    if (s.portExceptions.length) out.add('mtls.port-exception');
    if (s.subject.serviceAccount) out.add('subject.service-account');
    return [...out];
  }
  if (s.kind === 'isolate-cluster') {
    out.add('subject.all-namespaces');
    s.directions.forEach(d => out.add(d === 'ingress' ? 'isolate.ingress' : 'isolate.egress'));
    if (s.stage === 'audit') out.add('stage.audit');
    return [...out];
  }
  if (s.kind === 'cluster-rule') {
    out.add('subject.all-namespaces');
    out.add(`admin.${s.action}`);
    if (s.stage === 'audit') out.add('stage.audit');
    s.peers.forEach(p => peerFeatures(p, '').forEach(f => out.add(f)));
    s.ports.forEach(p => portFeatures(p, s.direction).forEach(f => out.add(f)));
    return [...out];
  }
  out.add(s.direction === 'ingress' ? 'allow.ingress' : 'allow.egress');
  if (s.stage === 'audit') out.add('stage.audit');
  if (s.kind === 'allow-cluster') {
    out.add('subject.all-namespaces');
    out.add('admin.allow');
  } else {
    if (!s.isolating) out.add('allow.source-half');
    if (s.http) out.add('allow.http');
    if (s.subject.serviceAccount) out.add('subject.service-account');
  }
  // A cluster-wide statement has no namespace of its own: every named namespace is "another" one.
  s.peers.forEach(p => peerFeatures(p, s.kind === 'allow' ? s.subject.namespace : '').forEach(f => out.add(f)));
  s.ports.forEach(p => portFeatures(p, s.direction).forEach(f => out.add(f)));
  return [...out];
}

function peerFeatures(p: PeerModel, policyNamespace: string): Feature[] {
  switch (p.kind) {
    case 'anyone': return ['peer.anyone'];
    case 'cidr': return ['peer.cidr'];
    case 'fqdn': return ['peer.fqdn'];
    case 'kube-apiserver': return [p.cidrs.length ? 'peer.kube-apiserver-cidrs' : 'peer.kube-apiserver'];
    case 'node-local-dns': return ['peer.node-local-dns'];
    case 'pods': {
      const f: Feature[] = [];
      if (p.namespaces.kind === 'name') f.push(p.namespaces.name === policyNamespace ? 'peer.pods-same-namespace' : 'peer.pods-other-namespace');
      else if (p.namespaces.kind === 'labels') f.push('peer.namespace-labels');
      else f.push('peer.all-namespaces');
      if (p.serviceAccount) f.push('peer.service-account');
      return f;
    }
  }
}

function portFeatures(p: PortModel, direction: 'ingress' | 'egress'): Feature[] {
  if (p.protocol === 'ANY') return ['port.all-traffic'];
  const f: Feature[] = [];
  if (p.protocol === 'SCTP') f.push('protocol.sctp');
  if (p.port === undefined) f.push('port.all-of-protocol');
  else if (typeof p.port === 'string') f.push(direction === 'ingress' ? 'port.named' : 'port.named-egress');
  else if (p.endPort !== undefined) f.push('port.range');
  else f.push('port.number');
  return f;
}
