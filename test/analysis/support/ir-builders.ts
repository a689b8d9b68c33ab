import {
  AnalysisPolicy, DirectionalRules, KUBERNETES_TIER, PeerMatch, PodSelection, PolicyRule, PolicyTier, SELECT_ALL, SelectorExpr,
} from '../../../src/analysis';

/** `key=value` as a selector. */
export function labelIs(key: string, value: string): SelectorExpr {
  return { op: 'in', key, values: [value] };
}

/** Pods of one namespace matching a selector. */
export function podsIn(namespace: string, pods: SelectorExpr = SELECT_ALL): PodSelection {
  return { namespaces: { kind: 'names', names: [namespace] }, pods };
}

/** A `pods` peer. */
export function podsPeer(selection: PodSelection, requiresMtls = false): PeerMatch {
  return { kind: 'pods', selection, ...(requiresMtls ? { requiresMtls } : {}) };
}

/** A rule with a label derived from its position. */
export function rule(action: PolicyRule['action'], fields: Omit<PolicyRule, 'label' | 'action'> = {}, label = 'rules[0]'): PolicyRule {
  return { label, action, ...fields };
}

/** A hand-built IR policy, defaulting to the Kubernetes tier and the network layer. */
export function irPolicy(fields: {
  name: string;
  namespace?: string;
  kind?: string;
  subject: PodSelection;
  ingress?: DirectionalRules;
  egress?: DirectionalRules;
  tier?: PolicyTier;
  order?: number;
  layer?: AnalysisPolicy['layer'];
  enforced?: boolean;
}): AnalysisPolicy {
  return {
    ref: { kind: fields.kind ?? 'TestPolicy', ...(fields.namespace === undefined ? {} : { namespace: fields.namespace }), name: fields.name },
    layer: fields.layer ?? 'network',
    tier: fields.tier ?? KUBERNETES_TIER,
    ...(fields.order === undefined ? {} : { order: fields.order }),
    enforced: fields.enforced ?? true,
    subject: fields.subject,
    ...(fields.ingress ? { ingress: fields.ingress } : {}),
    ...(fields.egress ? { egress: fields.egress } : {}),
  };
}

/** Rules of one direction; `isolates` defaults to true. */
export function rules(list: PolicyRule[], isolates = true): DirectionalRules {
  return { isolates, rules: list.map((entry, i) => (entry.label === 'rules[0]' ? { ...entry, label: `rules[${i}]` } : entry)) };
}
