import { IstioDialectOptions, MAX_EXPANDED_RANGE } from './options';
import { AuthorizationPolicySpecRules, AuthorizationPolicySpecRulesFromSource, AuthorizationPolicySpecRulesToOperation } from '../../imports/istio-ap-security.istio.io';
import { HttpRuleModel, isEverything, PeerModel, peerToString, PortModel, portToString } from '../../model';

/** Why a peer cannot be an Istio source: a reason and a fix. */
export interface SourceProblem {
  readonly what: string;
  readonly reason: string;
  readonly fix: string;
  /** For an approximation: the opt-in option and what it widens. */
  readonly optIn?: { readonly option: string; readonly widening: string };
}

/** The Istio sources of a rule, or `any` (no `from`: every client, mesh or not). */
export interface IstioSources {
  readonly sources: readonly AuthorizationPolicySpecRulesFromSource[] | 'any';
  readonly problems: readonly SourceProblem[];
}

/** The SPIFFE principal of a service account. */
export function principal(options: IstioDialectOptions, namespace: string, serviceAccount: string): string {
  return `${options.trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/**
 * Maps the model's peers to Istio sources, exactly or not at all:
 * a service account → `principals`, a whole namespace (by name) → `namespaces`,
 * CIDR blocks → `ipBlocks` minus `notIpBlocks`, anyone → no `from`.
 * Pods chosen by labels have no identity Istio can check.
 */
export function istioSources(options: IstioDialectOptions, peers: readonly PeerModel[]): IstioSources {
  const problems: SourceProblem[] = [];
  if (peers.some(p => p.kind === 'anyone')) return { sources: 'any', problems };
  const principals = new Set<string>();
  const namespaces = new Set<string>();
  const blocks: AuthorizationPolicySpecRulesFromSource[] = [];
  for (const p of peers) {
    switch (p.kind) {
      case 'cidr':
        blocks.push(p.except.length ? { ipBlocks: [p.cidr], notIpBlocks: [...p.except] } : { ipBlocks: [p.cidr] });
        break;
      case 'node-local-dns':
        blocks.push({ ipBlocks: [p.cidr] });
        break;
      case 'kube-apiserver':
        if (p.cidrs.length) blocks.push({ ipBlocks: [...p.cidrs] });
        else problems.push({ what: peerToString(p), reason: 'Istio has no identity for the API server; it can only match its addresses (ipBlocks)', fix: 'pass the API server endpoint addresses: Peer.kubeApiServer(["<address>/32"])' });
        break;
      case 'fqdn':
        problems.push({ what: peerToString(p), reason: 'a DNS name is not a connection source', fix: 'use EgressToFqdn for egress to DNS names' });
        break;
      case 'pods': {
        if (p.namespaces.kind === 'labels') {
          problems.push({ what: peerToString(p), reason: 'Istio sources match namespace names (`namespaces`), never namespace labels', fix: 'allow each namespace by name: Peer.namespace(\'<name>\') or Peer.serviceAccount(\'<account>\', \'<namespace>\'); the CNI engines (Engine.kubernetes(), Engine.cilium(), Engine.calico()) select namespaces by labels exactly' });
          break;
        }
        if (p.namespaces.kind === 'all') {
          problems.push({ what: peerToString(p), reason: 'an Istio rule for every namespace matches mesh identities only (namespaces: ["*"]), so pods outside the mesh would be denied, and a service account in any namespace has no exact principal pattern', fix: 'name the namespaces with Peer.namespace(\'<name>\') or Peer.serviceAccount(\'<account>\', \'<namespace>\'), or allow everyone with Peer.anyone(); the CNI engines (Engine.kubernetes(), Engine.cilium(), Engine.calico()) select pods in every namespace exactly' });
          break;
        }
        const ns = p.namespaces.name;
        const labelled = !isEverything(p.pods);
        if (labelled && !p.serviceAccount) {
          problems.push({
            what: peerToString(p),
            reason: 'pods chosen by labels have no identity in Istio: the destination proxy only sees the client\'s service account (mTLS principal) and namespace',
            fix: 'name the account the workload runs as and declare that exactly these pods use it: Workload.select({...}, { serviceAccount: \'<account>\', exclusiveServiceAccount: true }) '
              + `(Istio then checks the account, engines without identities keep the labels); or allow the identity with Peer.serviceAccount('<account>', '${ns}'), or the whole namespace with Peer.namespace('${ns}')`,
          });
          break;
        }
        if (labelled && !options.matchPeersByServiceAccount && !p.exclusiveServiceAccount) {
          problems.push({
            what: peerToString(p),
            reason: 'Istio checks the client\'s service account (principal) only; it cannot also check the pod labels',
            fix: `if exactly these pods run as ${p.serviceAccount}, declare it on the workload (exclusiveServiceAccount: true); else select the peer by identity only with Peer.serviceAccount('${p.serviceAccount}', '${ns}')`,
            optIn: { option: 'Engine.istio({ matchPeersByServiceAccount: true })', widening: `every pod running as service account ${p.serviceAccount} in ${ns} matches, whatever its labels` },
          });
          break;
        }
        if (p.serviceAccount) principals.add(principal(options, ns, p.serviceAccount));
        else namespaces.add(ns);
        break;
      }
    }
  }
  const sources: AuthorizationPolicySpecRulesFromSource[] = [];
  if (principals.size) sources.push({ principals: [...principals].sort() });
  if (namespaces.size) sources.push({ namespaces: [...namespaces].sort() });
  sources.push(...blocks);
  return { sources, problems };
}

/** A port list's TCP ports as Istio sees them: `all`, a sorted list, or none (Istio sees no TCP). */
export interface IstioPorts {
  readonly ports: 'all' | readonly number[];
  readonly problems: readonly SourceProblem[];
}

/**
 * The TCP part of a port list. Istio authorizes TCP only (UDP and SCTP are
 * never intercepted, so the CNI layer alone decides them); `ports` are
 * numbers without ranges, so ranges are spelled out up to a limit.
 */
export function istioPorts(ports: readonly PortModel[]): IstioPorts {
  const problems: SourceProblem[] = [];
  const out = new Set<number>();
  for (const p of ports) {
    if (p.protocol === 'ANY') return { ports: 'all', problems };
    if (p.protocol !== 'TCP') continue;
    if (p.port === undefined) return { ports: 'all', problems };
    if (typeof p.port === 'string') {
      problems.push({ what: portToString(p), reason: 'AuthorizationPolicy ports are numbers: Istio does not resolve container port names', fix: 'use the port number, e.g. Port.tcp(8080)' });
      continue;
    }
    const end = p.endPort ?? p.port;
    if (end - p.port + 1 > MAX_EXPANDED_RANGE) {
      problems.push({ what: portToString(p), reason: `AuthorizationPolicy has no port ranges; the engine spells a range out, up to ${MAX_EXPANDED_RANGE} ports`, fix: 'split the range, or allow every TCP port with Port.allTcp() if that is what you mean' });
      continue;
    }
    for (let n = p.port; n <= end; n++) out.add(n);
  }
  return { ports: [...out].sort((a, b) => a - b), problems };
}

/** Whether the port list has any TCP part Istio authorizes. */
export function istioSeesTcp(ports: readonly PortModel[]): boolean {
  return ports.some(p => p.protocol === 'ANY' || p.protocol === 'TCP');
}

/** Whether every port of the list is TCP (no UDP, SCTP or "all traffic"). */
export function onlyTcp(ports: readonly PortModel[]): boolean {
  return ports.every(p => p.protocol === 'TCP');
}

/**
 * The `to` operations of a rule: the ports, and for HTTP rules one operation
 * per path with the union of its methods (fields of one operation AND, values
 * OR, so grouping by path is exact; a rule without a method makes its path
 * allow any method). Exact paths stay as they are; prefixes end in `*`.
 */
export function istioOperations(ports: 'all' | readonly number[], http: readonly HttpRuleModel[] | undefined): AuthorizationPolicySpecRulesToOperation[] | undefined {
  const portList = ports === 'all' ? undefined : ports.map(String);
  if (!http) return portList ? [{ ports: portList }] : undefined;
  const byPath = new Map<string, Set<string> | 'any'>();
  for (const r of http) {
    const path = r.path === undefined ? '' : r.path.kind === 'exact' ? r.path.value : `${r.path.value}*`;
    const prev = byPath.get(path) ?? new Set<string>();
    if (r.method === undefined || prev === 'any') byPath.set(path, 'any');
    else byPath.set(path, new Set([...prev, r.method]));
  }
  return [...byPath.keys()].sort().map(path => {
    const methods = byPath.get(path)!;
    const op: AuthorizationPolicySpecRulesToOperation = {
      ...(portList ? { ports: portList } : {}),
      ...(methods === 'any' ? {} : { methods: [...methods].sort() }),
      ...(path === '' ? {} : { paths: [path] }),
    };
    return op;
  });
}

/** One ALLOW rule from sources and operations. */
export function istioRule(sources: IstioSources['sources'], operations: AuthorizationPolicySpecRulesToOperation[] | undefined): AuthorizationPolicySpecRules {
  return {
    ...(sources === 'any' ? {} : { from: sources.map(source => ({ source })) }),
    ...(operations ? { to: operations.map(operation => ({ operation })) } : {}),
  };
}
