import {
  ciliumNamespace, ciliumRemotePeer, ciliumRules, ciliumScope, hasEmptyPeerField, isEmptyCiliumRule,
} from './cilium-policy';
import { policyDirections } from './kubernetes-policy';
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
 * True if an allowance applies to the pods of a target: same namespace (or a cluster-wide allowance,
 * or a cluster-wide target: then any allowance counts), and every pod or the same selector. Lenient
 * on purpose: an error is only reported when no allowance can possibly apply.
 */
export function allowanceCovers(allowance: DnsAllowance, target: { readonly namespace?: string; readonly scope: PodScope }): boolean {
  const namespaceMatches = target.namespace === undefined || allowance.namespace === undefined || allowance.namespace === target.namespace;
  return namespaceMatches && (allowance.scope.all || allowance.scope.key === target.scope.key);
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
