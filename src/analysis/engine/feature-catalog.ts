import { identityKey, ipBlockKey, isNodeRelative, namedPortName, selectionFeatureKey } from './feature-keys';
import { PolicyIndex, PolicyPart } from './policy-index';
import { DnsNamePeer, IdentityCondition, IpBlockPeer, PeerMatch, PodSelection, PROTOCOLS } from '../ir/analysis-policy';

/** A pod selection a policy uses, as a subject (`S:` key) or a peer (`P:` key). */
export interface CatalogSelection {
  readonly key: string;
  readonly selection: PodSelection;
}

/**
 * Everything about a policy set that pods are grouped by (see `PodGrouping`), collected once per
 * policy index: the distinct subject and peer selections (by the namespaces they can name), the
 * distinct ipBlocks, the named ports, and the parts each subject selection has. A question about a
 * few pods (`explain`) then tests those pods against the selections of their namespaces only.
 */
export interface FeatureCatalog {
  readonly selections: readonly CatalogSelection[];
  /** Selections with an explicit namespace list, by namespace. */
  readonly byNamespace: ReadonlyMap<string, readonly CatalogSelection[]>;
  /** Selections over namespace labels (any namespace may be in them). */
  readonly selectorScoped: readonly CatalogSelection[];
  readonly ipBlocks: readonly IpBlockPeer[];
  /** The distinct DNS-name peers (by pattern), which cut the DNS names into classes. */
  readonly dnsNames: readonly DnsNamePeer[];
  /** The distinct identity conditions of mTLS peers (Istio principals, namespaces, service accounts), by `I:` key. */
  readonly identities: ReadonlyMap<string, IdentityCondition>;
  /** Named ports (`<protocol>/<name>`) resolved on the destination. */
  readonly names: ReadonlySet<string>;
  /** True if some rule names `host` or `remote-node`. */
  readonly nodeRelative: boolean;
  /** The parts whose subject is a selection, by its `S:` key, in evaluation order. */
  readonly partsBySubject: ReadonlyMap<string, readonly PolicyPart[]>;
}

const catalogs = new WeakMap<PolicyIndex, FeatureCatalog>();

/** The catalog of a policy index (computed once, then cached). */
export function featureCatalog(index: PolicyIndex): FeatureCatalog {
  let catalog = catalogs.get(index);
  if (!catalog) {
    catalog = buildCatalog(index);
    catalogs.set(index, catalog);
  }
  return catalog;
}

function buildCatalog(index: PolicyIndex): FeatureCatalog {
  const selections = new Map<string, CatalogSelection>();
  const ipBlocks = new Map<string, IpBlockPeer>();
  const dnsNames = new Map<string, DnsNamePeer>();
  const identities = new Map<string, IdentityCondition>();
  const names = new Set<string>();
  const partsBySubject = new Map<string, PolicyPart[]>();
  let nodeRelative = false;
  const addSelection = (prefix: 'S' | 'P', selection: PodSelection): string => {
    const key = selectionFeatureKey(prefix, selection);
    if (!selections.has(key)) {
      selections.set(key, { key, selection });
    }
    return key;
  };
  const addPeer = (peer: PeerMatch) => {
    if (peer.kind === 'pods') {
      addSelection('P', peer.selection);
      if (peer.identity) identities.set(identityKey(peer.identity), peer.identity);
      if (peer.ztunnelIdentity) identities.set(identityKey(peer.ztunnelIdentity), peer.ztunnelIdentity);
    } else if (peer.kind === 'ipBlock') {
      ipBlocks.set(ipBlockKey(peer), peer);
    } else if (peer.kind === 'dnsName') {
      dnsNames.set(peer.pattern.regex, peer);
    }
  };
  for (const part of index.parts) {
    const subject = addSelection('S', part.policy.subject);
    const list = partsBySubject.get(subject);
    if (list) list.push(part);
    else partsBySubject.set(subject, [part]);
    for (const rule of part.rules) {
      rule.peers?.forEach(addPeer);
      rule.subjectPeers?.forEach(addPeer);
      rule.notPeers?.forEach(addPeer);
      rule.notSubjectPeers?.forEach(addPeer);
      nodeRelative = nodeRelative || isNodeRelative(rule);
      for (const portMatch of rule.ports ?? []) {
        if (typeof portMatch.port === 'string' && portMatch.namedPortResolution !== 'cluster') {
          for (const protocol of portMatch.protocol === 'ANY' ? PROTOCOLS : [portMatch.protocol]) {
            names.add(namedPortName(protocol, portMatch.port));
          }
        }
      }
    }
  }
  const byNamespace = new Map<string, CatalogSelection[]>();
  const selectorScoped: CatalogSelection[] = [];
  for (const entry of selections.values()) {
    const scope = entry.selection.namespaces;
    if (scope.kind === 'selector') {
      selectorScoped.push(entry);
      continue;
    }
    for (const namespace of new Set(scope.names)) {
      const list = byNamespace.get(namespace);
      if (list) list.push(entry);
      else byNamespace.set(namespace, [entry]);
    }
  }
  return {
    selections: [...selections.values()],
    byNamespace,
    selectorScoped,
    ipBlocks: [...ipBlocks.values()],
    dnsNames: [...dnsNames.values()],
    identities,
    names,
    nodeRelative,
    partsBySubject,
  };
}
