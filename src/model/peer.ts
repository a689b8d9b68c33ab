import { LabelSelectorModel, selectorToString } from './label-selector';

/** Which namespaces a pod peer may live in. */
export type NamespaceScopeModel =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'labels'; readonly selector: LabelSelectorModel }
  | { readonly kind: 'all' };

/** Pods matching `pods` (and `serviceAccount`, when set) in the namespaces of `namespaces`. */
export interface PodsPeerModel {
  readonly kind: 'pods';
  readonly namespaces: NamespaceScopeModel;
  readonly pods: LabelSelectorModel;
  readonly serviceAccount?: string;
  /** Where `serviceAccount` came from when the user did not write it; for messages only (see PodSetModel). */
  readonly serviceAccountOrigin?: string;
  /** Exactly the pods with these labels run as `serviceAccount` (declared by the user): either may select them. */
  readonly exclusiveServiceAccount?: boolean;
}

/** Addresses in `cidr` but not in any of `except` (canonical network addresses, one IP family). */
export interface CidrPeerModel {
  readonly kind: 'cidr';
  readonly cidr: string;
  readonly except: readonly string[];
}

/** Every pod of every namespace and every address outside the cluster. */
export interface AnyonePeerModel {
  readonly kind: 'anyone';
}

/**
 * DNS names outside the cluster: `pattern` is an exact name (`api.example.com`)
 * or a wildcard whose leading `*.` stands for exactly one label (`*.example.com`).
 * Only engines with a DNS proxy (Cilium) can enforce it.
 */
export interface FqdnPeerModel {
  readonly kind: 'fqdn';
  readonly pattern: string;
}

/**
 * The Kubernetes API server. Engines with an identity for it (Cilium's
 * `kube-apiserver` entity) use that; others need the CIDRs the user supplies.
 */
export interface KubeApiServerPeerModel {
  readonly kind: 'kube-apiserver';
  /** The API server's endpoint addresses as CIDRs, when the user gave them (canonical). */
  readonly cidrs: readonly string[];
}

/**
 * The NodeLocal DNSCache on the pod's own node: a host-network service at a
 * link-local address (169.254.20.10 by default), which pod selectors never match.
 */
export interface NodeLocalDnsPeerModel {
  readonly kind: 'node-local-dns';
  /** The link-local address as a /32 or /128 CIDR. */
  readonly cidr: string;
}

/** The other end of an allowed connection. */
export type PeerModel = PodsPeerModel | CidrPeerModel | AnyonePeerModel | FqdnPeerModel | KubeApiServerPeerModel | NodeLocalDnsPeerModel;

/** A stable, readable string form, used for de-duplication and in messages. */
export function peerToString(p: PeerModel): string {
  switch (p.kind) {
    case 'anyone': return 'anyone';
    case 'cidr': return p.except.length ? `${p.cidr} except ${p.except.join(',')}` : p.cidr;
    case 'fqdn': return `DNS name ${p.pattern}`;
    case 'kube-apiserver': return p.cidrs.length ? `the Kubernetes API server (${p.cidrs.join(',')})` : 'the Kubernetes API server';
    case 'node-local-dns': return `NodeLocal DNSCache ${p.cidr}`;
    case 'pods': {
      const ns = p.namespaces.kind === 'name' ? `namespace ${p.namespaces.name}`
        : p.namespaces.kind === 'all' ? 'any namespace' : `namespaces ${selectorToString(p.namespaces.selector)}`;
      return `pods ${selectorToString(p.pods)}${p.serviceAccount ? ` with service account ${p.serviceAccount}` : ''} in ${ns}`;
    }
  }
}
