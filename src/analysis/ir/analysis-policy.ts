import { DnsNamePattern } from './dns-name';
import { IntentRef } from './intent-ref';
import { PeerAuthenticationSpec } from './peer-authentication';
import { PolicyRef, SourceLocation } from './policy-ref';
import { SelectorExpr } from './selector';
import { StringCondition, StringMatch } from './string-match';
import { IdentityCondition } from './workload-identity';
import { Cidr } from '../ip/cidr';

/**
 * The engine-neutral analysis IR. Every dialect (Kubernetes NetworkPolicy now; Cilium, Calico and
 * Istio later) and the library's own policy model translate into a list of `AnalysisPolicy`.
 *
 * Evaluation model, for one endpoint (pod) and one direction:
 *
 * 1. Policies are grouped by `layer`. A flow must be allowed by every layer (`network` = the CNI,
 *    `mesh` = Istio authorization layered on top of it).
 * 2. Inside a layer, the policies that select the endpoint run tier by tier (ascending `tier.order`),
 *    inside a tier by ascending `order` (unordered policies last, then by reference), rules in list order.
 * 3. The first matching rule whose action is `allow` or `deny` decides. `pass` skips the rest of the
 *    tier, `log` only records. Within the deciding tier, every other matching rule is still reported.
 * 4. If no rule decided in a tier and some policy of that tier selecting the endpoint `isolates` it for
 *    the direction, the tier's `defaultAction` applies (`deny`, or `pass` to the next tier).
 * 5. If nothing decided, the layer allows.
 *
 * Kubernetes NetworkPolicy is the simplest instance: one tier whose policies all isolate, `allow`
 * rules only, default action `deny` — so the union of allows, per pod and direction.
 * How the other dialects map (sketch, for the translators to come):
 * - Cilium: a `deny` tier (denies, default `pass`, `isolates` false) before an `allow` tier holding
 *   CNP allows together with K8s NetworkPolicies (default `deny`); a deny-only CNP contributes an empty,
 *   isolating part to the allow tier; `enableDefaultDeny: false` = `isolates: false`.
 * - Calico: tiers with their order and default action; policies with `order`; `pass`/`log` actions;
 *   staged policies have `enforced: false`; K8s NetworkPolicies go to tier `default` with order 1000.
 * - Istio: layer `mesh`, ingress only; tiers CUSTOM → DENY → ALLOW; an ALLOW policy isolates (default
 *   `deny`), so ALLOW-with-no-match denies; principals are `pods` peers with `requiresMtls`.
 */
export interface AnalysisPolicy {
  /** The object this policy was translated from; used in every explanation. */
  readonly ref: PolicyRef;
  /** Where the object was read from, when it was parsed from YAML. */
  readonly source?: SourceLocation;
  readonly layer: EnforcementLayer;
  readonly tier: PolicyTier;
  /** Order inside the tier (ascending); undefined sorts after every ordered policy. */
  readonly order?: number;
  /** False for policies that are present but not enforced (Calico staged policies, audit modes). */
  readonly enforced: boolean;
  /** The pods the policy applies to. */
  readonly subject: PodSelection;
  /** Rules for traffic entering the subject; undefined = the policy does not apply to ingress. */
  readonly ingress?: DirectionalRules;
  /** Rules for traffic leaving the subject; undefined = the policy does not apply to egress. */
  readonly egress?: DirectionalRules;
  /**
   * Facts about how the object was read that change what it does, for explanations and linting
   * (e.g. a Cilium policy the agent refuses and therefore does not enforce).
   */
  readonly notes?: readonly string[];
  /**
   * The intent the object names in its annotations (every object the library renders does), for
   * explanations and audits only: nothing is decided by it.
   */
  readonly intent?: IntentRef;
  /**
   * Set on an Istio PeerAuthentication (layer `mesh`, no rules): not evaluated rule by rule but
   * composed per pod and port into the connection's mTLS (mesh-authentication.ts).
   */
  readonly peerAuthentication?: PeerAuthenticationSpec;
  /**
   * Set on an Istio AuthorizationPolicy bound with `targetRefs` (a waypoint policy): it applies at a
   * waypoint to connections addressed to these targets, never at a pod's sidecar or ztunnel, so its
   * `subject` selects no pod (engine/service-paths.ts evaluates it on the waypoint hop).
   */
  readonly waypointTargets?: readonly WaypointTarget[];
}

/**
 * What a waypoint policy is bound to (istio/istio `pilot/pkg/model/policyattachment.go`
 * `ShouldAttachPolicy`): a Service of the policy's namespace, a waypoint Gateway of the policy's
 * namespace, or — from the root namespace only — the GatewayClass `istio-waypoint` (every waypoint).
 */
export type WaypointTarget =
  | { readonly kind: 'Service'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'Gateway'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'GatewayClass'; readonly name: string };

/** A policy's rules for one direction. */
export interface DirectionalRules {
  /** True if selecting a pod makes the tier's default action apply to it (Kubernetes isolation). */
  readonly isolates: boolean;
  readonly rules: readonly PolicyRule[];
}

/** Traffic direction, seen from the pod a policy selects. */
export type Direction = 'ingress' | 'egress';

/** Transport protocols a flow can use. */
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** The protocols, in a stable order. */
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

/** Independent enforcement layers; a flow needs every layer's allow. */
export type EnforcementLayer = 'network' | 'mesh';

/** What a matching rule does. */
export type RuleAction = 'allow' | 'deny' | 'pass' | 'log';

/** An ordered group of policies with a default for endpoints its policies isolate. */
export interface PolicyTier {
  readonly name: string;
  readonly order: number;
  /** Applied to an isolated endpoint when no rule of the tier decided. */
  readonly defaultAction: 'deny' | 'pass';
}

/** The single tier plain Kubernetes NetworkPolicies live in. */
export const KUBERNETES_TIER: PolicyTier = { name: 'kubernetes', order: 0, defaultAction: 'deny' };

/** One rule. All present conditions must match (peer AND port AND HTTP). */
export interface PolicyRule {
  /** Path of the rule inside its object, e.g. `ingress[0]`; becomes part of the rule reference. */
  readonly label: string;
  /**
   * The intent the rule itself names (Calico rule `metadata.annotations`, Cilium rule `labels`),
   * when it does; else the policy's `intent` applies to it. For explanations only.
   */
  readonly intent?: IntentRef;
  readonly action: RuleAction;
  /** The other end of the flow must match one of these; undefined = any peer, including external IPs. */
  readonly peers?: readonly PeerMatch[];
  /**
   * Conditions on the policy's own end of the flow: the subject pod must be one of these for the rule
   * to match (Calico's `egress[].source` and `ingress[].destination` selectors, nets and service
   * accounts narrow a rule to some of the policy's own endpoints). An `ipBlock` here sees the
   * subject's own address in the flow's address family. undefined = every subject pod.
   */
  readonly subjectPeers?: readonly PeerMatch[];
  /**
   * The other end of the flow must match none of these (Calico's `notSelector` on the peer side, whose
   * IP set holds the addresses of every endpoint and network set it selects). Checked after `peers`;
   * undefined = no exclusion.
   */
  readonly notPeers?: readonly PeerMatch[];
  /** The subject pod must match none of these (Calico's `notSelector` on the policy's own side); undefined = no exclusion. */
  readonly notSubjectPeers?: readonly PeerMatch[];
  /** The flow's destination port must match one of these; undefined = every port of every protocol. */
  readonly ports?: readonly PortMatch[];
  /** L7 condition (reserved for Cilium/Calico/Istio): the request must match one; undefined = no L7 condition. */
  readonly http?: readonly HttpMatch[];
  /**
   * How a rule with `http` treats a flow that carries no HTTP request (plain L4 analysis):
   * `match` (Istio DENY: the missing attribute counts as a match) or `noMatch` (Istio ALLOW).
   * @default 'noMatch'
   */
  readonly nonHttpFlows?: 'match' | 'noMatch';
  /**
   * How ztunnel, which enforces an ambient pod's mesh policies without seeing any request, treats
   * the rule: `noMatch` = it never matches there (istiod sends ztunnel no such rule, or one with a
   * clause whose matches are all empty, which ztunnel skips — `ambient/authorization.go`
   * `handleRule`, ztunnel `src/rbac.rs` `matches`). undefined: without its `http`, as `nonHttpFlows` says.
   */
  readonly ztunnel?: 'noMatch';
}

/** Pods chosen by namespace, labels and optionally service account. */
export interface PodSelection {
  readonly namespaces: NamespaceScope;
  readonly pods: SelectorExpr;
  /** Service account names (in the pod's own namespace); undefined = any. */
  readonly serviceAccounts?: readonly string[];
}

/** Which namespaces a selection looks in: an explicit list, or a selector over namespace labels. */
export type NamespaceScope =
  | { readonly kind: 'names'; readonly names: readonly string[] }
  | { readonly kind: 'selector'; readonly selector: SelectorExpr };

/** The other end of a flow, as a rule names it. */
export type PeerMatch = PodsPeer | IpBlockPeer | EntityPeer | DnsNamePeer;

/** Pods of the cluster model, never external addresses. Host-network pods are never matched (node traffic). */
export interface PodsPeer {
  readonly kind: 'pods';
  readonly selection: PodSelection;
  /** True for cryptographic identities (Istio principals): only matches flows with mTLS. */
  readonly requiresMtls?: boolean;
  /**
   * The pod's identity must satisfy this (`workload-identity.ts`): Istio's `principals`,
   * `namespaces` and `serviceAccounts` (and their `when` keys), compiled as istiod compiles them
   * for Envoy (a sidecar or a waypoint). Used with `requiresMtls`. undefined = no identity condition.
   */
  readonly identity?: IdentityCondition;
  /**
   * The same condition as ztunnel evaluates it for an ambient pod (istiod sends ztunnel the
   * values, not Envoy's matchers: `ambient/authorization.go`, ztunnel `src/rbac.rs`).
   * undefined = as `identity`.
   */
  readonly ztunnelIdentity?: IdentityCondition;
}

/** An address range with exceptions. */
export interface IpBlockPeer {
  readonly kind: 'ipBlock';
  readonly cidr: Cidr;
  readonly except: readonly Cidr[];
  /**
   * Whether the block can match addresses of pods in the cluster model:
   * `option` = Kubernetes ipBlock, implementation-defined, decided by `EvaluatorOptions.ipBlockMatchesPods`;
   * `always` = Calico nets; `never` = Cilium CIDR rules.
   */
  readonly podAddresses: 'option' | 'always' | 'never';
}

/**
 * Destinations outside the cluster by DNS name (Cilium `toFQDNs`, egress allow rules only): an
 * address the flow's destination name resolved to, when that name matches the pattern
 * (`dns-name.ts`). It never matches a pod of the cluster model (Cilium does not apply `toFQDNs` to
 * in-cluster addresses) nor an address reached without a name (`ResolvedEndpoint.dnsName`).
 */
export interface DnsNamePeer {
  readonly kind: 'dnsName';
  readonly pattern: DnsNamePattern;
}

/**
 * A named class of endpoints (Cilium entities), decided against the cluster model:
 * `all` = anything; `cluster` = every pod of the cluster model, host-network pods included;
 * `world` = any address outside it; `host` = host-network pods on the node of the pod the policy
 * selects; `remote-node` = host-network pods on other nodes (both need `spec.nodeName` on both pods).
 * The model has no endpoint of the other classes, so `kube-apiserver`, `init`, `health`,
 * `unmanaged`, `ingress` and `none` match nothing.
 */
export interface EntityPeer {
  readonly kind: 'entity';
  readonly entity: EntityName;
}

/** The entities `EntityPeer` can name (Cilium's `fromEntities`/`toEntities` values). */
export type EntityName =
  | 'all' | 'cluster' | 'world' | 'host' | 'remote-node' | 'kube-apiserver' | 'init' | 'health' | 'unmanaged' | 'ingress' | 'none';

/**
 * A destination port condition. `port` is a number, a container-port name (resolved against the
 * flow's destination pod; never matches an external destination), or undefined for every port.
 */
export interface PortMatch {
  readonly protocol: Protocol | 'ANY';
  readonly port?: number | string;
  /** Inclusive end of a numeric range starting at `port`. */
  readonly endPort?: number;
  /**
   * Where a named `port` is looked up: `destination` = the flow's destination pod (Kubernetes;
   * Cilium on ingress); `cluster` = every pod of the cluster model that has an address and does not
   * use the host network, and the name means a number only if all of them agree on one for the
   * protocol — then it matches that number towards any destination (Cilium 1.16–1.19 on egress).
   * @default 'destination'
   */
  readonly namedPortResolution?: 'destination' | 'cluster';
}

/** An HTTP request condition (reserved for L7 dialects): every present field must match. */
export interface HttpMatch {
  /** Methods, compared case-sensitively with the request method as sent (as Envoy does); undefined = any. */
  readonly methods?: readonly string[];
  /** The method as sent, matched as a pattern (Cilium's `method` regex); undefined = any. */
  readonly method?: StringMatch;
  /** The request path with its query string, as sent (`:path`); undefined = any. */
  readonly path?: StringMatch;
  readonly host?: StringMatch;
  /** The method as sent must satisfy this (Istio `methods` and `notMethods`); undefined = any. */
  readonly methodCondition?: StringCondition;
  /**
   * The URL path — the request path before the first `?` or `#` (`urlPath` in `string-match.ts`),
   * what Envoy's path matchers see — must satisfy this (Istio `paths` and `notPaths`); undefined = any.
   */
  readonly urlPathCondition?: StringCondition;
}

export type { StringCondition, StringMatch } from './string-match';
export type { IdentityCondition } from './workload-identity';
export type { DnsNamePattern } from './dns-name';
