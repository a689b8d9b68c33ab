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

/** The other end of an allowed connection. */
export type PeerModel = PodsPeerModel | CidrPeerModel | AnyonePeerModel;

/** A stable, readable string form, used for de-duplication and in messages. */
export function peerToString(p: PeerModel): string {
  switch (p.kind) {
    case 'anyone': return 'anyone';
    case 'cidr': return p.except.length ? `${p.cidr} except ${p.except.join(',')}` : p.cidr;
    case 'pods': {
      const ns = p.namespaces.kind === 'name' ? `namespace ${p.namespaces.name}`
        : p.namespaces.kind === 'all' ? 'any namespace' : `namespaces ${selectorToString(p.namespaces.selector)}`;
      return `pods ${selectorToString(p.pods)}${p.serviceAccount ? ` with service account ${p.serviceAccount}` : ''} in ${ns}`;
    }
  }
}
