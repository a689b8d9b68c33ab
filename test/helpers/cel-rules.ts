/**
 * CEL rules (`x-kubernetes-validations`) from the CRDs, re-implemented in
 * TypeScript. ajv ignores them, but the API server rejects an object that
 * breaks one, so every rule that our generated output could break and that
 * can be decided from the object alone is listed here.
 *
 * Each rule keeps the CEL text verbatim (whitespace collapsed); a test checks
 * that the text is still in the CRD at `path`, and that every CEL rule in a
 * covered CRD is either implemented here or listed in SKIPPED_CEL_RULES with
 * the reason, so a CRD upgrade cannot silently add an unchecked rule.
 *
 * Rules run on the object after CRD defaults were applied, as on the server
 * (e.g. Gateway `tls.mode` defaults to Terminate, Calico Tier `defaultAction`
 * to Deny). `has(x)` is true when the field is present and not null.
 *
 * Path syntax: dot-separated field names from the object root; `[]` visits
 * every list item, `{}` every map value. '' is the root object.
 */
import { isCidr } from './k8s-ajv-vocabulary';
import { Issue, pointerSegment } from './object-meta';

export interface CelRule {
  /** API group the rule belongs to; it applies to every served version. */
  readonly group: string;
  readonly kinds: readonly string[];
  /** Schema locations that carry the rule (see path syntax above). */
  readonly paths: readonly string[];
  /** The CEL expression as written in the CRD, whitespace collapsed. */
  readonly rule: string;
  /** The message the API server returns. */
  readonly message: string;
  /** True when the rule holds for `self`, the value at the path. */
  readonly holds: (self: any) => boolean;
  /** Only in this release channel of the CRD (its `<group>/channel` annotation), e.g. `experimental`. */
  readonly channel?: string;
}

export interface SkippedCelRule {
  readonly group: string;
  readonly kinds: readonly string[];
  readonly paths: readonly string[];
  readonly rule: string;
  readonly reason: string;
}

type Json = Record<string, any>;

function has(obj: unknown, key: string): boolean {
  return typeof obj === 'object' && obj !== null && !Array.isArray(obj)
    && (obj as Json)[key] !== undefined && (obj as Json)[key] !== null;
}

const isTrue = (obj: Json, key: string) => has(obj, key) && obj[key] === true;
const sizeOrZero = (x: unknown) => (Array.isArray(x) ? x.length : typeof x === 'object' && x ? Object.keys(x).length : 0);

/** CEL `int(string)`: Go strconv.ParseInt base 10; anything else is an evaluation error (= rejection). */
function celInt(s: string): number | undefined {
  return /^[+-]?[0-9]+$/.test(s) ? Number(s) : undefined;
}

const ISTIO = 'security.istio.io';
const AP = ['AuthorizationPolicy'];
const AP_PA = ['AuthorizationPolicy', 'PeerAuthentication'];
const CALICO = 'projectcalico.org';
const CALICO_POLICIES = ['NetworkPolicy', 'GlobalNetworkPolicy', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy'];
const CALICO_GLOBAL_POLICIES = ['GlobalNetworkPolicy', 'StagedGlobalNetworkPolicy'];
const CALICO_RULES = ['spec.ingress[]', 'spec.egress[]'];
const GATEWAY = 'gateway.networking.k8s.io';
const NPA = 'policy.networking.k8s.io';
const CNP_RANGES = ['ingress', 'egress'].flatMap(d => ['tcp', 'udp', 'sctp'].map(p => `spec.${d}[].protocols[].${p}.destinationPort.range`));

function calicoTierRule(tier: string, action: string): CelRule {
  return {
    group: CALICO,
    kinds: ['Tier'],
    paths: [''],
    rule: `self.metadata.name == '${tier}' ? (has(self.spec.defaultAction) && self.spec.defaultAction == '${action}') : true`,
    message: `The '${tier}' tier must have default action '${action}'`,
    holds: self => self.metadata?.name !== tier || (has(self.spec, 'defaultAction') && self.spec.defaultAction === action),
  };
}

export const CEL_RULES: readonly CelRule[] = [
  // ---- Istio AuthorizationPolicy / PeerAuthentication (v1 and v1beta1 carry the same rules)
  {
    group: ISTIO,
    kinds: AP,
    paths: ['spec'],
    rule: '(has(self.selector) ? 1 : 0) + (has(self.targetRef) ? 1 : 0) + (has(self.targetRefs) ? 1 : 0) <= 1',
    message: 'only one of targetRefs or selector can be set',
    holds: self => ['selector', 'targetRef', 'targetRefs'].filter(k => has(self, k)).length <= 1,
  },
  {
    group: ISTIO,
    kinds: AP,
    paths: ['spec.rules[].from[].source'],
    rule: '(has(self.serviceAccounts) || has(self.notServiceAccounts)) ? (!has(self.principals) && '
      + '!has(self.notPrincipals) && !has(self.namespaces) && !has(self.notNamespaces)) : true',
    message: 'Cannot set serviceAccounts with namespaces or principals',
    holds: self => !(has(self, 'serviceAccounts') || has(self, 'notServiceAccounts'))
      || ['principals', 'notPrincipals', 'namespaces', 'notNamespaces'].every(k => !has(self, k)),
  },
  {
    group: ISTIO,
    kinds: AP,
    paths: ['spec.targetRef.namespace', 'spec.targetRefs[].namespace'],
    rule: 'self.size() == 0',
    message: 'cross namespace referencing is not currently supported',
    holds: self => typeof self !== 'string' || self.length === 0,
  },
  {
    group: ISTIO,
    kinds: AP_PA,
    paths: ['spec.selector.matchLabels'],
    rule: 'self.all(key, !key.contains("*"))',
    message: 'wildcard not allowed in label key match',
    holds: self => Object.keys(self).every(k => !k.includes('*')),
  },
  {
    group: ISTIO,
    kinds: AP_PA,
    paths: ['spec.selector.matchLabels'],
    rule: 'self.all(key, key.size() != 0)',
    message: 'key must not be empty',
    holds: self => Object.keys(self).every(k => k.length !== 0),
  },
  {
    group: ISTIO,
    kinds: AP_PA,
    paths: ['spec.selector.matchLabels{}'],
    rule: '!self.contains("*")',
    message: 'wildcard not allowed in label value match',
    holds: self => typeof self !== 'string' || !self.includes('*'),
  },
  {
    group: ISTIO,
    kinds: ['PeerAuthentication'],
    paths: ['spec'],
    rule: 'has(self.portLevelMtls) ? (((has(self.selector) && has(self.selector.matchLabels)) '
      + '? self.selector.matchLabels : {}).size() > 0) : true',
    message: 'portLevelMtls requires selector',
    holds: self => !has(self, 'portLevelMtls')
      || (has(self, 'selector') && has(self.selector, 'matchLabels') ? sizeOrZero(self.selector.matchLabels) : 0) > 0,
  },
  {
    group: ISTIO,
    kinds: ['PeerAuthentication'],
    paths: ['spec.portLevelMtls'],
    rule: 'self.all(key, 0 < int(key) && int(key) <= 65535)',
    message: 'port must be between 1-65535',
    holds: self => Object.keys(self).every(k => {
      const port = celInt(k);
      return port !== undefined && port > 0 && port <= 65535;
    }),
  },

  // ---- Calico policies: rule-level checks, and the GlobalNetworkPolicy preDNAT/doNotTrack combinations
  {
    group: CALICO,
    kinds: CALICO_POLICIES,
    paths: CALICO_RULES,
    rule: "!has(self.http) || !has(self.protocol) || self.protocol == 'TCP' || self.protocol == 6",
    message: 'rules with HTTP match must have protocol TCP or unset',
    holds: self => !has(self, 'http') || !has(self, 'protocol') || self.protocol === 'TCP' || self.protocol === 6,
  },
  {
    group: CALICO,
    kinds: CALICO_POLICIES,
    paths: CALICO_RULES,
    rule: "self.action == 'Allow' || !has(self.http)",
    message: 'HTTP match is only valid on Allow rules',
    holds: self => self.action === 'Allow' || !has(self, 'http'),
  },
  {
    group: CALICO,
    kinds: CALICO_POLICIES,
    paths: CALICO_RULES,
    rule: '!has(self.destination) || !has(self.destination.services) || (!has(self.destination.ports) || '
      + 'size(self.destination.ports) == 0) && (!has(self.destination.notPorts) || size(self.destination.notPorts) == 0)',
    message: 'ports and notPorts cannot be specified with services',
    holds: self => !has(self, 'destination') || !has(self.destination, 'services')
      || (sizeOrZero(self.destination.ports) === 0 && sizeOrZero(self.destination.notPorts) === 0),
  },
  {
    group: CALICO,
    kinds: CALICO_POLICIES,
    paths: CALICO_RULES.flatMap(r => [`${r}.icmp`, `${r}.notICMP`]),
    rule: '!has(self.code) || has(self.type)',
    message: 'ICMP code specified without an ICMP type',
    holds: self => !has(self, 'code') || has(self, 'type'),
  },
  {
    group: CALICO,
    kinds: CALICO_GLOBAL_POLICIES,
    paths: ['spec'],
    rule: '!((has(self.doNotTrack) && self.doNotTrack) && (has(self.preDNAT) && self.preDNAT))',
    message: 'preDNAT and doNotTrack cannot both be true',
    holds: self => !(isTrue(self, 'doNotTrack') && isTrue(self, 'preDNAT')),
  },
  {
    group: CALICO,
    kinds: CALICO_GLOBAL_POLICIES,
    paths: ['spec'],
    rule: '(!has(self.preDNAT) || !self.preDNAT) || !has(self.egress) || size(self.egress) == 0',
    message: 'preDNAT policy cannot have any egress rules',
    holds: self => !isTrue(self, 'preDNAT') || sizeOrZero(self.egress) === 0,
  },
  {
    group: CALICO,
    kinds: CALICO_GLOBAL_POLICIES,
    paths: ['spec'],
    rule: "(!has(self.preDNAT) || !self.preDNAT) || !has(self.types) || !self.types.exists(t, t == 'Egress')",
    message: "preDNAT policy cannot have 'Egress' type",
    holds: self => !isTrue(self, 'preDNAT') || !Array.isArray(self.types) || !self.types.includes('Egress'),
  },
  {
    group: CALICO,
    kinds: CALICO_GLOBAL_POLICIES,
    paths: ['spec'],
    rule: '(has(self.applyOnForward) && self.applyOnForward) || ((!has(self.doNotTrack) || !self.doNotTrack) '
      + '&& (!has(self.preDNAT) || !self.preDNAT))',
    message: 'applyOnForward must be true if either preDNAT or doNotTrack is true',
    holds: self => isTrue(self, 'applyOnForward') || (!isTrue(self, 'doNotTrack') && !isTrue(self, 'preDNAT')),
  },
  calicoTierRule('kube-admin', 'Pass'),
  calicoTierRule('kube-baseline', 'Pass'),
  calicoTierRule('default', 'Deny'),

  // ---- network-policy-api ClusterNetworkPolicy (v0.2.0), AdminNetworkPolicy / BaselineAdminNetworkPolicy (v0.1.8)
  {
    group: NPA,
    kinds: ['ClusterNetworkPolicy'],
    paths: CNP_RANGES,
    rule: 'self.start < self.end',
    message: 'Start port must be less than End port',
    holds: self => typeof self.start !== 'number' || typeof self.end !== 'number' || self.start < self.end,
  },
  {
    group: NPA,
    kinds: ['ClusterNetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy'],
    paths: ['spec.egress[].to[].networks[]'],
    rule: 'isCIDR(self)',
    message: 'Invalid CIDR format provided',
    holds: self => typeof self !== 'string' || isCidr(self),
  },
  {
    group: NPA,
    kinds: ['ClusterNetworkPolicy'],
    paths: ['spec.egress[]'],
    rule: '!(self.to.exists(peer, has(peer.networks) || has(peer.nodes) || has(peer.domainNames)) && has(self.protocols) '
      + '&& self.protocols.exists(protocol, has(protocol.destinationNamedPort)))',
    message: 'networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for networks/nodes/domainNames',
    holds: self => !((Array.isArray(self.to) ? self.to : []).some((peer: Json) => has(peer, 'networks') || has(peer, 'nodes') || has(peer, 'domainNames'))
      && has(self, 'protocols') && (self.protocols as Json[]).some(p => has(p, 'destinationNamedPort'))),
    channel: 'experimental',
  },
  {
    group: NPA,
    kinds: ['BaselineAdminNetworkPolicy'],
    paths: [''],
    rule: "self.metadata.name == 'default'",
    message: 'Only one baseline admin network policy with metadata.name="default" can be created in the cluster',
    holds: self => self.metadata?.name === 'default',
  },

  // ---- Gateway API Gateway listeners (an Istio waypoint is a Gateway with an HBONE listener)
  {
    group: GATEWAY,
    kinds: ['Gateway'],
    paths: ['spec.listeners'],
    rule: "self.all(l, l.protocol in ['HTTP', 'TCP', 'UDP'] ? !has(l.tls) : true)",
    message: "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']",
    holds: self => self.every((l: Json) => !['HTTP', 'TCP', 'UDP'].includes(l.protocol) || !has(l, 'tls')),
  },
  {
    group: GATEWAY,
    kinds: ['Gateway'],
    paths: ['spec.listeners'],
    rule: "self.all(l, (l.protocol == 'HTTPS' && has(l.tls)) ? (l.tls.mode == '' || l.tls.mode == 'Terminate') : true)",
    message: 'tls mode must be Terminate for protocol HTTPS',
    holds: self => self.every((l: Json) => !(l.protocol === 'HTTPS' && has(l, 'tls'))
      || l.tls.mode === '' || l.tls.mode === 'Terminate'),
  },
  {
    group: GATEWAY,
    kinds: ['Gateway'],
    paths: ['spec.listeners'],
    rule: "self.all(l, (l.protocol == 'TLS' ? has(l.tls) && has(l.tls.mode) && l.tls.mode != '' : true))",
    message: 'tls mode must be set for protocol TLS',
    holds: self => self.every((l: Json) => l.protocol !== 'TLS'
      || (has(l, 'tls') && has(l.tls, 'mode') && l.tls.mode !== '')),
  },
  {
    group: GATEWAY,
    kinds: ['Gateway'],
    paths: ['spec.listeners'],
    rule: "self.all(l, l.protocol in ['TCP', 'UDP'] ? (!has(l.hostname) || l.hostname == '') : true)",
    message: "hostname must not be specified for protocols ['TCP', 'UDP']",
    holds: self => self.every((l: Json) => !['TCP', 'UDP'].includes(l.protocol) || !has(l, 'hostname') || l.hostname === ''),
  },
  {
    group: GATEWAY,
    kinds: ['Gateway'],
    paths: ['spec.listeners'],
    rule: 'self.all(l1, self.exists_one(l2, l1.name == l2.name))',
    message: 'Listener name must be unique within the Gateway',
    holds: self => self.every((l1: Json) => self.filter((l2: Json) => l1.name === l2.name).length === 1),
  },
  {
    group: GATEWAY,
    kinds: ['Gateway'],
    paths: ['spec.listeners'],
    rule: 'self.all(l1, self.exists_one(l2, l1.port == l2.port && l1.protocol == l2.protocol && (has(l1.hostname) '
      + '&& has(l2.hostname) ? l1.hostname == l2.hostname : !has(l1.hostname) && !has(l2.hostname))))',
    message: 'Combination of port, protocol and hostname must be unique for each listener',
    holds: self => self.every((l1: Json) => self.filter((l2: Json) => l1.port === l2.port && l1.protocol === l2.protocol
      && (has(l1, 'hostname') && has(l2, 'hostname')
        ? l1.hostname === l2.hostname
        : !has(l1, 'hostname') && !has(l2, 'hostname'))).length === 1),
  },
  {
    group: GATEWAY,
    kinds: ['Gateway'],
    paths: ['spec.listeners[].tls'],
    rule: "self.mode == 'Terminate' ? size(self.certificateRefs) > 0 || size(self.options) > 0 : true",
    message: 'certificateRefs or options must be specified when mode is Terminate',
    // size() of an absent field is an evaluation error, which the server treats as a failed rule.
    holds: self => self.mode !== 'Terminate' || sizeOrZero(self.certificateRefs) > 0 || sizeOrZero(self.options) > 0,
  },
];

/**
 * CEL rules in the covered CRDs that are deliberately not implemented.
 * None of them is undecidable; they guard fields our renderers do not emit
 * today. Implement one (and move it to CEL_RULES) when a renderer starts
 * emitting the field.
 */
export const SKIPPED_CEL_RULES: readonly SkippedCelRule[] = [
  {
    group: GATEWAY,
    kinds: ['Gateway'],
    paths: ['spec.addresses'],
    rule: "self.all(a1, a1.type == 'IPAddress' && has(a1.value) ? self.exists_one(a2, a2.type == a1.type && "
      + 'has(a2.value) && a2.value == a1.value) : true )',
    reason: 'spec.addresses: waypoints get their address from the implementation; we never render addresses',
  },
  {
    group: GATEWAY,
    kinds: ['Gateway'],
    paths: ['spec.addresses'],
    rule: "self.all(a1, a1.type == 'Hostname' && has(a1.value) ? self.exists_one(a2, a2.type == a1.type && "
      + 'has(a2.value) && a2.value == a1.value) : true )',
    reason: 'spec.addresses: not rendered (see above)',
  },
  {
    group: GATEWAY,
    kinds: ['Gateway'],
    paths: ['spec.addresses[]'],
    rule: "self.type == 'Hostname' ? (!has(self.value) || self.value.matches(r\"\"\"^(\\*\\.)?[a-z0-9]([-a-z0-9]*"
      + '[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$""")): true',
    reason: 'spec.addresses: not rendered (see above)',
  },
  {
    group: GATEWAY,
    kinds: ['Gateway'],
    paths: ['spec.infrastructure.annotations', 'spec.infrastructure.labels'],
    rule: 'self.all(key, key.matches(r"""^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?'
      + '([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$"""))',
    reason: 'spec.infrastructure: not rendered; the same key syntax is already checked for metadata labels',
  },
  {
    group: GATEWAY,
    kinds: ['Gateway'],
    paths: ['spec.infrastructure.annotations', 'spec.infrastructure.labels'],
    rule: 'self.all(key, key.split("/")[0].size() < 253)',
    reason: 'spec.infrastructure: not rendered',
  },
  {
    group: GATEWAY,
    kinds: ['Gateway'],
    paths: ['spec.tls.frontend.perPort'],
    rule: 'self.all(t1, self.exists_one(t2, t1.port == t2.port))',
    reason: 'spec.tls.frontend (client certificate validation): not rendered',
  },
];

/** Collapses whitespace so that rules compare equal however YAML folded them. */
export function normalizeCel(rule: string): string {
  return rule.replace(/\s+/g, ' ').trim();
}

/** Every (JSON pointer, value) present at a rule path in `obj`. */
export function valuesAtPath(obj: unknown, path: string): Array<{ pointer: string; value: unknown }> {
  const segments = path === '' ? [] : path.split('.').flatMap(s => s.split(/(?=\[\]|\{\})/));
  let current: Array<{ pointer: string; value: any }> = [{ pointer: '', value: obj }];
  for (const seg of segments) {
    const next: Array<{ pointer: string; value: any }> = [];
    for (const { pointer, value } of current) {
      if (seg === '[]') {
        if (Array.isArray(value)) value.forEach((v, i) => next.push({ pointer: `${pointer}/${i}`, value: v }));
      } else if (seg === '{}') {
        if (value && typeof value === 'object' && !Array.isArray(value)) {
          for (const [k, v] of Object.entries(value)) next.push({ pointer: `${pointer}/${pointerSegment(k)}`, value: v });
        }
      } else if (has(value, seg)) {
        next.push({ pointer: `${pointer}/${pointerSegment(seg)}`, value: value[seg] });
      }
    }
    current = next;
  }
  return current.filter(c => c.value !== undefined && c.value !== null);
}

/**
 * Checks the implemented CEL rules for one (defaulted) object. A rule whose
 * input has the wrong shape is left to the schema errors and not reported.
 * `channel` is the label of the CRD channel validated (rules of other channels are skipped).
 */
export function checkCelRules(group: string, kind: string, obj: unknown, channel?: string): Issue[] {
  const issues: Issue[] = [];
  for (const rule of CEL_RULES) {
    if (rule.group !== group || !rule.kinds.includes(kind)) continue;
    if (rule.channel !== undefined && !(channel ?? '').startsWith(rule.channel)) continue;
    for (const path of rule.paths) {
      for (const { pointer, value } of valuesAtPath(obj, path)) {
        let ok: boolean;
        try {
          ok = rule.holds(value);
        } catch {
          continue;
        }
        if (!ok) issues.push({ pointer, message: `${rule.message} (CEL: ${rule.rule})` });
      }
    }
  }
  return issues;
}
