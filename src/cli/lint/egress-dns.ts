import {
  CILIUM_NAMESPACE_KEYS, ciliumNamespace, ciliumRemotePeer, ciliumRules, ciliumScope, hasEmptyPeerField, isEmptyCiliumRule,
} from './cilium-policy';
import { describeLabelSelector, policyDirections } from './kubernetes-policy';
import { KIND, LintObject, RawObject } from './lint-object';
import {
  asList, asObject, asString, at, canonicalJson, isEmptyLabelSelector, isEmptyList, objectsOf, specOf,
} from './manifest-fields';
import { PodScope } from './pod-scope';

export type { PodScope } from './pod-scope';

/** Pods whose egress a policy isolates (default deny unless allowed). */
export interface EgressIsolation {
  /** Undefined for cluster-wide policies. */
  readonly namespace?: string;
  readonly scope: PodScope;
  /** Field that isolates, for the finding. */
  readonly path: string;
}

/** An egress allowance that reaches DNS (port 53) on UDP and/or TCP. */
export interface DnsAllowance {
  readonly namespace?: string;
  readonly scope: PodScope;
  readonly udp: boolean;
  readonly tcp: boolean;
  readonly path: string;
}

const DNS_PORT = 53;
/** The selectors meaning "every Kubernetes pod" in Calico (the library writes the orchestrator label). */
const CALICO_ALL = new Set(['', 'all()', "projectcalico.org/orchestrator == 'k8s'", 'projectcalico.org/orchestrator == "k8s"']);

/**
 * Calico's tiers whose default action is Pass (fixed: kube-admin, kube-baseline): a policy there
 * decides what its rules match and isolates nothing.
 */
const CALICO_PASS_TIERS = new Set(['kube-admin', 'kube-baseline']);

/** A ClusterNetworkPolicy-style subject as a pod scope: every pod of the namespaces it selects counts as "all". */
function networkPolicyApiScope(object: LintObject): PodScope {
  const subject = object.networkPolicyApi!.subject;
  return { all: subject.kind === 'namespaces', key: `npa:${canonicalJson(subject)}` };
}

/** The egress isolations of one policy object, for Kubernetes, Cilium and Calico kinds. */
export function egressIsolations(object: LintObject): EgressIsolation[] {
  const namespace = object.namespace;
  switch (object.key) {
    case KIND.clusterNetworkPolicy:
    case KIND.adminNetworkPolicy:
    case KIND.baselineAdminNetworkPolicy: {
      // A Deny of every pod peer on every port is a cluster-wide egress default deny (ClusterDefaultDeny's Baseline form).
      const policy = object.networkPolicyApi;
      const denyAll = policy?.egress.findIndex((r) => r.action === 'Deny' && r.ports === undefined
        && r.peers.some((p) => p.kind === 'namespaces' && isEmptyLabelSelector(p.namespaces)));
      return policy && denyAll !== undefined && denyAll >= 0 ? [{ scope: networkPolicyApiScope(object), path: `spec.egress[${denyAll}]` }] : [];
    }
    case KIND.kubernetesNetworkPolicy: {
      const policy = object.networkPolicy;
      if (!policy || !policyDirections(policy)[1].effective) {
        return [];
      }
      return [{ namespace, scope: kubernetesScope(policy.spec.podSelector), path: 'spec.policyTypes' }];
    }
    case KIND.ciliumNetworkPolicy:
    case KIND.ciliumClusterwideNetworkPolicy:
      return ciliumRules(object).flatMap(({ rule, path }) => {
        const defaultDeny = asObject(rule.enableDefaultDeny)?.egress;
        if ((isEmptyList(rule.egress) && isEmptyList(rule.egressDeny)) || defaultDeny === false) {
          return [];
        }
        return [{ namespace: ciliumNamespace(object, rule), scope: ciliumScope(rule.endpointSelector), path: `${path}.${isEmptyList(rule.egress) ? 'egressDeny' : 'egress'}` }];
      });
    case KIND.calicoNetworkPolicy:
    case KIND.calicoGlobalNetworkPolicy: {
      const spec = specOf(object.raw);
      if (CALICO_PASS_TIERS.has(asString(spec.tier) ?? 'default')) {
        return [];
      }
      const types = asList(spec.types);
      const egress = types.length > 0 ? types.includes('Egress') : !isEmptyList(spec.egress);
      return egress ? [{ namespace, scope: calicoScope(spec), path: types.length > 0 ? 'spec.types' : 'spec.egress' }] : [];
    }
    default:
      return [];
  }
}

/** The DNS allowances of one policy object (egress rules that allow port 53 to peers outside the pods' own namespace, or port 53 explicitly). */
export function dnsAllowances(object: LintObject): DnsAllowance[] {
  const namespace = object.namespace;
  switch (object.key) {
    case KIND.clusterNetworkPolicy:
    case KIND.adminNetworkPolicy:
    case KIND.baselineAdminNetworkPolicy: {
      const policy = object.networkPolicyApi;
      if (!policy) {
        return [];
      }
      return policy.egress.flatMap((rule, i) => {
        if (rule.action !== 'Accept') {
          return [];
        }
        const ports = rule.ports === undefined ? [{ protocol: 'ANY', explicit: false, matches: true }] : rule.ports.map((port) => (port.kind === 'named'
          ? { protocol: 'ANY', explicit: true, matches: portIncludesDns(port.name, undefined) }
          : { protocol: port.protocol, explicit: port.port !== undefined, matches: portIncludesDns(port.port, port.endPort) }));
        return dnsAllowance(undefined, networkPolicyApiScope(object), `spec.egress[${i}]`, ports, true);
      });
    }
    case KIND.kubernetesNetworkPolicy: {
      const policy = object.networkPolicy;
      const egress = policy ? policyDirections(policy)[1] : undefined;
      if (!policy || !egress?.effective) {
        return [];
      }
      const scope = kubernetesScope(policy.spec.podSelector);
      return egress.rules.flatMap((rule, i) => {
        const remote = rule.peers.length === 0 || rule.peers.some((peer) => peer.namespaceSelector !== undefined || peer.ipBlock !== undefined);
        const ports = rule.ports.length === 0 ? [{ protocol: 'ANY', explicit: false, matches: true }] : rule.ports.map((port) => ({
          protocol: port.protocol ?? 'TCP',
          explicit: port.port !== undefined,
          matches: portIncludesDns(port.port, port.endPort),
        }));
        return dnsAllowance(namespace, scope, `spec.egress[${i}]`, ports, remote);
      });
    }
    case KIND.ciliumNetworkPolicy:
    case KIND.ciliumClusterwideNetworkPolicy:
      return ciliumRules(object).flatMap(({ rule, path }) => {
        const scope = ciliumScope(rule.endpointSelector);
        const ruleNamespace = ciliumNamespace(object, rule);
        return objectsOf(rule.egress).flatMap(({ value: egressRule, index }) => {
          if (isEmptyCiliumRule(egressRule) || hasEmptyPeerField(egressRule)) {
            return []; // `egress: [{}]` (Cilium's default-deny form) and `toEndpoints: []` allow nothing
          }
          const ports = objectsOf(egressRule.toPorts).flatMap(({ value }) => objectsOf(value.ports).map(({ value: port }) => {
            const number = asString(port.port) ?? (typeof port.port === 'number' ? String(port.port) : undefined);
            const all = number === undefined || number === '0';
            return {
              protocol: (asString(port.protocol) ?? 'ANY').toUpperCase(),
              explicit: !all,
              matches: all || portIncludesDns(/^\d+$/.test(number) ? Number(number) : number, typeof port.endPort === 'number' ? port.endPort : undefined),
            };
          }));
          return dnsAllowance(ruleNamespace, scope, at(`${path}.egress`, index),
            ports.length === 0 ? [{ protocol: 'ANY', explicit: false, matches: true }] : ports, ciliumRemotePeer(object, egressRule));
        });
      });
    case KIND.calicoNetworkPolicy:
    case KIND.calicoGlobalNetworkPolicy: {
      const spec = specOf(object.raw);
      const scope = calicoScope(spec);
      return objectsOf(spec.egress).flatMap(({ value: rule, index }) => {
        if (rule.action !== 'Allow') {
          return [];
        }
        const protocol = rule.protocol === 17 ? 'UDP' : rule.protocol === 6 ? 'TCP' : (asString(rule.protocol) ?? 'ANY').toUpperCase();
        const destination = asObject(rule.destination) ?? {};
        const remote = object.key === KIND.calicoGlobalNetworkPolicy || destination.selector === undefined
          || destination.namespaceSelector !== undefined || !isEmptyList(destination.nets);
        const listed = asList(destination.ports);
        const ports = listed.length === 0 ? [{ protocol, explicit: false, matches: true }] : listed.map((port) => ({
          protocol, explicit: true, matches: calicoPortIncludesDns(port),
        }));
        return dnsAllowance(namespace, scope, `spec.egress[${index}]`, ports, remote);
      });
    }
    default:
      return [];
  }
}

/**
 * Which pods some policy of the run gives DNS, per protocol: built once per run (`perRun`), so that
 * the DNS rules cost one lookup per isolation instead of a scan of every policy's allowances.
 */
export interface DnsCoverage {
  readonly udp: ScopeCoverage;
  readonly tcp: ScopeCoverage;
}

/** The run's allowances for one protocol, indexed by namespace (see `covers`). */
export class ScopeCoverage {
  private readonly byNamespace = new Map<string, ScopeSet>();
  private readonly clusterWide = new ScopeSet();
  private readonly anywhere = new ScopeSet();

  /** Adds an allowance. */
  public add(allowance: { readonly namespace?: string; readonly scope: PodScope }): void {
    this.anywhere.add(allowance.scope);
    if (allowance.namespace === undefined) {
      this.clusterWide.add(allowance.scope);
      return;
    }
    let set = this.byNamespace.get(allowance.namespace);
    if (!set) {
      set = new ScopeSet();
      this.byNamespace.set(allowance.namespace, set);
    }
    set.add(allowance.scope);
  }

  /**
   * True if an allowance applies to the pods of a target: same namespace (or a cluster-wide
   * allowance, or a cluster-wide target: then any allowance counts), and every pod or the same
   * selector. Lenient on purpose: an error is only reported when no allowance can possibly apply.
   */
  public covers(target: { readonly namespace?: string; readonly scope: PodScope }): boolean {
    if (target.namespace === undefined) {
      return this.anywhere.covers(target.scope);
    }
    return this.clusterWide.covers(target.scope) || (this.byNamespace.get(target.namespace)?.covers(target.scope) ?? false);
  }
}

/** Pod scopes: whether one of them is "every pod", and the selector keys of the others. */
class ScopeSet {
  private all = false;
  private readonly keys = new Set<string>();

  public add(scope: PodScope): void {
    if (scope.all) {
      this.all = true;
    } else {
      this.keys.add(scope.key);
    }
  }

  public covers(scope: PodScope): boolean {
    return this.all || this.keys.has(scope.key);
  }
}

/** The DNS coverage of a run's objects (pass to `perRun`). */
export function dnsCoverage(context: { readonly objects: readonly LintObject[] }): DnsCoverage {
  const coverage = { udp: new ScopeCoverage(), tcp: new ScopeCoverage() };
  for (const object of context.objects) {
    for (const allowance of dnsAllowances(object)) {
      if (allowance.udp) {
        coverage.udp.add(allowance);
      }
      if (allowance.tcp) {
        coverage.tcp.add(allowance);
      }
    }
  }
  return coverage;
}

/** An egress peer that allows DNS (port 53 written out) to every pod of some namespaces, not to the DNS pods. */
export interface WholeNamespaceDnsPeer {
  /** Path of the peer. */
  readonly path: string;
  /** The selector of the namespaces, as written. */
  readonly namespaces: string;
}

/**
 * The egress peers of one policy that allow port 53 (written out) to whole namespaces: a Kubernetes
 * `namespaceSelector` without (or with an empty) `podSelector`, a Cilium `toEndpoints` selector on
 * namespace labels only, a Calico `destination` with a `namespaceSelector` and no `selector`.
 */
export function wholeNamespaceDnsPeers(object: LintObject): WholeNamespaceDnsPeer[] {
  switch (object.key) {
    case KIND.kubernetesNetworkPolicy: {
      const egress = object.networkPolicy ? policyDirections(object.networkPolicy)[1] : undefined;
      if (!egress?.effective) {
        return [];
      }
      return egress.rules.flatMap((rule, i) => {
        if (!rule.ports.some((port) => port.port !== undefined && portIncludesDns(port.port, port.endPort))) {
          return [];
        }
        return rule.peers.flatMap((peer, j) => (peer.namespaceSelector !== undefined && isEmptyLabelSelector(peer.podSelector)
          ? [{ path: `spec.egress[${i}].to[${j}]`, namespaces: `namespaceSelector ${describeLabelSelector(peer.namespaceSelector)}` }] : []));
      });
    }
    case KIND.ciliumNetworkPolicy:
    case KIND.ciliumClusterwideNetworkPolicy:
      return ciliumRules(object).flatMap(({ rule, path }) => objectsOf(rule.egress).flatMap(({ value: egressRule, index }) => {
        const dns = objectsOf(egressRule.toPorts).some(({ value }) => objectsOf(value.ports).some(({ value: port }) => {
          const number = asString(port.port) ?? (typeof port.port === 'number' ? String(port.port) : undefined);
          return number !== undefined && number !== '0'
            && portIncludesDns(/^\d+$/.test(number) ? Number(number) : number, typeof port.endPort === 'number' ? port.endPort : undefined);
        }));
        if (!dns) {
          return [];
        }
        return objectsOf(egressRule.toEndpoints).flatMap(({ value: selector, index: j }) => (selectsOnlyNamespaces(selector)
          ? [{ path: `${at(`${path}.egress`, index)}.toEndpoints[${j}]`, namespaces: `endpoint selector ${canonicalJson(selector)}` }] : []));
      }));
    case KIND.calicoNetworkPolicy:
    case KIND.calicoGlobalNetworkPolicy:
      return objectsOf(specOf(object.raw).egress).flatMap(({ value: rule, index }) => {
        const destination = asObject(rule.destination) ?? {};
        const selector = (asString(destination.selector) ?? '').trim();
        if (rule.action !== 'Allow' || destination.namespaceSelector === undefined || (selector !== '' && selector !== 'all()')
          || !asList(destination.ports).some(calicoPortIncludesDns)) {
          return [];
        }
        return [{ path: `spec.egress[${index}].destination`, namespaces: `namespaceSelector ${JSON.stringify(destination.namespaceSelector)}` }];
      });
    default:
      return [];
  }
}

/** True for a Cilium endpoint selector whose requirements are all on the namespace: every pod of those namespaces. */
function selectsOnlyNamespaces(selector: RawObject): boolean {
  const labels = Object.keys(asObject(selector.matchLabels) ?? {});
  const expressions = objectsOf(selector.matchExpressions).map(({ value }) => asString(value.key) ?? '');
  const namespaceKey = (key: string) => CILIUM_NAMESPACE_KEYS.includes(key) || /^(k8s:|any:)?io\.cilium\.k8s\.namespace\.labels\./.test(key);
  return [...labels, ...expressions].every(namespaceKey);
}

interface PortFact {
  readonly protocol: string;
  /** A port number, range or name was written (as opposed to "every port"). */
  readonly explicit: boolean;
  readonly matches: boolean;
}

function dnsAllowance(namespace: string | undefined, scope: PodScope, path: string, ports: readonly PortFact[], remotePeer: boolean): DnsAllowance[] {
  // "Every port" to pods of the own namespace only is not a DNS allowance; port 53 written out is.
  const dns = ports.filter((port) => port.matches && (port.explicit || remotePeer));
  const udp = dns.some((port) => port.protocol === 'UDP' || port.protocol === 'ANY');
  const tcp = dns.some((port) => port.protocol === 'TCP' || port.protocol === 'ANY');
  return udp || tcp ? [{ ...(namespace === undefined ? {} : { namespace }), scope, udp, tcp, path }] : [];
}

/** True if a port (number, name or undefined = all) or range includes 53; names count when they mention dns (CoreDNS: dns, dns-tcp). */
function portIncludesDns(port: number | string | undefined, endPort: number | undefined): boolean {
  if (port === undefined) {
    return true;
  }
  if (typeof port === 'string') {
    return /dns/i.test(port);
  }
  return endPort === undefined ? port === DNS_PORT : port <= DNS_PORT && DNS_PORT <= endPort;
}

function calicoPortIncludesDns(port: unknown): boolean {
  if (typeof port === 'number') {
    return port === DNS_PORT;
  }
  const text = asString(port) ?? '';
  const range = /^(\d+):(\d+)$/.exec(text);
  if (range) {
    return Number(range[1]) <= DNS_PORT && DNS_PORT <= Number(range[2]);
  }
  return /^\d+$/.test(text) ? Number(text) === DNS_PORT : /dns/i.test(text);
}

function kubernetesScope(selector: unknown): PodScope {
  return { all: isEmptyLabelSelector(selector), key: `k8s:${canonicalJson(selector ?? {})}` };
}

function calicoScope(spec: RawObject): PodScope {
  const selector = (asString(spec.selector) ?? '').trim();
  const namespaceSelector = (asString(spec.namespaceSelector) ?? '').trim();
  // Every namespace but a list (a cluster-wide intent's GlobalNetworkPolicy) counts as all: lenient, as allowanceCovers is.
  const everyNamespace = namespaceSelector === '' || namespaceSelector === 'all()' || /^projectcalico\.org\/name not in \{[^}]*\}$/.test(namespaceSelector);
  return {
    all: CALICO_ALL.has(selector) && everyNamespace,
    key: `calico:${selector}|${namespaceSelector}`,
  };
}
