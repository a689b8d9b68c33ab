import { ciliumPeer, ciliumSubject, NO_POD } from './cilium-selector';
import {
  AnalysisPolicy, DirectionalRules, EntityName, HttpMatch, KUBERNETES_TIER, PeerMatch, PolicyRule, PolicyTier, PortMatch, RuleAction,
} from '../ir/analysis-policy';
import { intentFromLabels } from '../ir/intent-ref';
import { PolicyRef } from '../ir/policy-ref';
import {
  CiliumHttpRuleManifest, CiliumPolicyManifest, CiliumPortManifest, CiliumRuleManifest, CiliumTrafficRuleManifest,
} from '../parse/cilium-network-policy';

/**
 * Cilium's deny rules: they run before every allow and beat them, and never isolate by themselves
 * (the rule's allow part does that). A flow no deny matches passes on to the allow tier.
 */
export const CILIUM_DENY_TIER: PolicyTier = { name: 'cilium-deny', order: -1, defaultAction: 'pass' };

/**
 * Cilium's allow rules. Cilium merges CiliumNetworkPolicies, CiliumClusterwideNetworkPolicies and
 * Kubernetes NetworkPolicies into one policy per endpoint, so its allows share the Kubernetes tier:
 * an endpoint default-deny by any of them accepts the union of all their allows.
 */
export const CILIUM_ALLOW_TIER: PolicyTier = KUBERNETES_TIER;

/**
 * Translates a validated Cilium policy into the analysis IR (Cilium 1.16–1.19, agent defaults:
 * `policy-enforcement-mode=default`, `enable-non-default-deny-policies=true`, L7 proxy on):
 *
 * - each rule (`spec`, each `specs` item) becomes an allow-tier policy and, when it has deny rules,
 *   a deny-tier policy, both selecting the rule's `endpointSelector` (namespace-scoped for the
 *   namespaced kind);
 * - a direction with rules (allow or deny) isolates the selected pods unless
 *   `enableDefaultDeny.<direction>` is false; a direction without rules is not touched;
 * - a rule's peers: `fromEndpoints`/`toEndpoints` (scoped as `cilium-selector.ts` says), entities,
 *   CIDRs (never matching cluster pods or nodes: `podAddresses: 'never'`), `toFQDNs` (`dnsName` peers:
 *   an address reached by a name the pattern matches, `ir/dns-name.ts`; an empty `toFQDNs` is no peer
 *   field). No peer field with ports = every peer; no peer
 *   field and no ports = nothing (the `[{}]` default-deny rule); a peer field present but empty =
 *   nothing;
 * - ports: `ANY`/omitted = TCP, UDP and SCTP; port "0" = every port; `endPort` ranges; named ports
 *   resolve against the pod itself on ingress and cluster-wide on egress; VRRP/IGMP and `icmps`
 *   never match TCP, UDP or SCTP flows;
 * - `rules.http` entries (RE2 regexes on method, path with the query string, host) become a rule of
 *   their own for that port rule; `rules.dns` only routes lookups through the DNS proxy and allows
 *   the port like any L4 rule (the names a pod may look up are not modelled: the lookup is a
 *   connection to the resolver, and which names' addresses `toFQDNs` allows does not depend on the
 *   pod's own lookups, see docs/ANALYSIS.md "DNS names").
 *
 * A policy Cilium refuses (no rule list at all) becomes one unenforced policy with a note; host
 * policies (`nodeSelector`) are not evaluated and likewise unenforced. A `status` Valid=False
 * condition is a note on every policy translated from the spec, which is evaluated as written.
 *
 * @throws UnsupportedCiliumSelector for a selector the IR cannot express exactly (the reader turns it into a ManifestError)
 */
export function translateCiliumPolicy(m: CiliumPolicyManifest): AnalysisPolicy[] {
  const ref: PolicyRef = { kind: m.kind, ...(m.namespace === undefined ? {} : { namespace: m.namespace }), name: m.name };
  const base = { ref, ...(m.source ? { source: m.source } : {}), layer: 'network' as const };
  if (m.refusal) {
    const first = m.rules.find((r) => r.subject.kind === 'endpoints');
    const subject = first && first.subject.kind === 'endpoints' ? ciliumSubject(first.subject.selector, m.namespace) : NO_POD;
    return [{ ...base, tier: CILIUM_ALLOW_TIER, enforced: false, subject, notes: [`not enforced: ${m.refusal}`] }];
  }
  const out: AnalysisPolicy[] = [];
  for (const rule of m.rules) {
    if (rule.subject.kind === 'nodes') {
      out.push({
        ...base,
        tier: CILIUM_ALLOW_TIER,
        enforced: false,
        subject: NO_POD,
        notes: [`${rule.path} is a host policy (nodeSelector); the analysis treats host-network traffic as node traffic and does not evaluate host policies`],
      });
      continue;
    }
    const subject = ciliumSubject(rule.subject.selector, m.namespace);
    const allows: { ingress?: DirectionalRules; egress?: DirectionalRules } = {};
    const denies: { ingress?: DirectionalRules; egress?: DirectionalRules } = {};
    for (const direction of ['ingress', 'egress'] as const) {
      const allowRules = rule[direction];
      const denyRules = direction === 'ingress' ? rule.ingressDeny : rule.egressDeny;
      if (allowRules.length + denyRules.length === 0) {
        continue; // this rule does not touch the direction, whatever enableDefaultDeny says
      }
      allows[direction] = {
        isolates: rule.enableDefaultDeny[direction] ?? true,
        rules: allowRules.flatMap((r) => translateTrafficRule(r, rule, 'allow', direction, m.namespace)),
      };
      if (denyRules.length > 0) {
        denies[direction] = { isolates: false, rules: denyRules.flatMap((r) => translateTrafficRule(r, rule, 'deny', direction, m.namespace)) };
      }
    }
    out.push({ ...base, tier: CILIUM_ALLOW_TIER, enforced: true, subject, ...allows });
    if (denies.ingress || denies.egress) {
      out.push({ ...base, tier: CILIUM_DENY_TIER, enforced: true, subject, ...denies });
    }
  }
  return m.statusNote === undefined ? out : out.map((policy) => ({ ...policy, notes: [...(policy.notes ?? []), m.statusNote!] }));
}

function translateTrafficRule(
  t: CiliumTrafficRuleManifest, rule: CiliumRuleManifest, action: RuleAction, direction: 'ingress' | 'egress', namespace: string | undefined,
): PolicyRule[] {
  const label = rule.path === 'spec' ? t.path : `${rule.path}.${t.path}`;
  const hasL4 = t.portRules.length > 0 || t.icmpRules > 0;
  const peers = translatePeers(t, hasL4, namespace);
  const intent = intentFromLabels(rule.labels);
  const common = { action, ...(peers === undefined ? {} : { peers }), ...(intent ? { intent } : {}) };
  if (t.icmpRules > 0) {
    return [{ label, ...common, ports: [] }]; // ICMP only
  }
  if (t.portRules.length === 0) {
    return [{ label, ...common }]; // every port of every protocol
  }
  const out: PolicyRule[] = [];
  const plain = t.portRules.filter((p) => !p.http);
  if (plain.length > 0) {
    out.push({ label, ...common, ports: plain.flatMap((p) => p.ports.flatMap((port) => translatePort(port, direction))) });
  }
  t.portRules.forEach((p, i) => {
    if (p.http) {
      out.push({
        label: `${label}.toPorts[${i}]`,
        ...common,
        ports: p.ports.flatMap((port) => translatePort(port, direction)),
        http: p.http.map(httpMatch),
        nonHttpFlows: 'noMatch',
      });
    }
  });
  return out;
}

/** The rule's peers; undefined = every peer. */
function translatePeers(t: CiliumTrafficRuleManifest, hasL4: boolean, namespace: string | undefined): PeerMatch[] | undefined {
  const peers = t.peers;
  switch (peers.kind) {
    case 'none':
      return hasL4 ? undefined : [];
    case 'empty':
      return [];
    case 'fqdns':
      return peers.patterns.map((pattern): PeerMatch => ({ kind: 'dnsName', pattern }));
    case 'endpoints':
      return peers.selectors.flatMap((s) => ciliumPeer(s, namespace));
    case 'entities':
      return [...new Set(peers.entities)].map((entity: EntityName): PeerMatch => ({ kind: 'entity', entity }));
    case 'cidrs':
      return peers.blocks.map((b): PeerMatch => ({ kind: 'ipBlock', cidr: b.cidr, except: b.except, podAddresses: 'never' }));
  }
}

function translatePort(port: CiliumPortManifest, direction: 'ingress' | 'egress'): PortMatch[] {
  if (port.protocol === 'VRRP' || port.protocol === 'IGMP') {
    return [];
  }
  if (port.port === 0) {
    return [{ protocol: port.protocol }];
  }
  if (typeof port.port === 'string') {
    return [{ protocol: port.protocol, port: port.port, ...(direction === 'egress' ? { namedPortResolution: 'cluster' as const } : {}) }];
  }
  return [{ protocol: port.protocol, port: port.port, ...(port.endPort === undefined ? {} : { endPort: port.endPort }) }];
}

function httpMatch(h: CiliumHttpRuleManifest): HttpMatch {
  return {
    ...(h.method === undefined ? {} : { method: { kind: 'regex' as const, value: h.method } }),
    ...(h.path === undefined ? {} : { path: { kind: 'regex' as const, value: h.path } }),
    ...(h.host === undefined ? {} : { host: { kind: 'regex' as const, value: h.host } }),
  };
}
