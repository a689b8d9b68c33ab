import { createHash } from 'crypto';
import { OriginModel } from '../model';

/**
 * The annotation every rendered object carries with the type of the intent construct that made it
 * (`AllowFrom`, `DefaultDeny`, …). Under `zero-trust.cdk8s.io`, the library's own prefix (also used
 * by MeshMigration's labels).
 */
export const INTENT_ANNOTATION = 'zero-trust.cdk8s.io/intent';

/** The annotation with the full construct path of that intent (`prod/frontend-to-backend`). */
export const CONSTRUCT_PATH_ANNOTATION = 'zero-trust.cdk8s.io/construct-path';

/**
 * The annotation on objects that serve several intents at once (Istio's mesh plumbing, a shared
 * waypoint): what they are for (`mesh-hbone`). The intent and construct path are then those of the
 * intent that holds the object in the construct tree, not of every intent it serves.
 */
export const SHARED_ANNOTATION = 'zero-trust.cdk8s.io/shared';

/**
 * The source Cilium rule labels carry: `k8s`, as Cilium's own labels on every rule derived from
 * a Kubernetes object (`k8s:io.cilium.k8s.policy.name=…`; cilium/cilium
 * `pkg/k8s/apis/cilium.io/utils/utils.go` `GetPolicyLabels`).
 */
export const CILIUM_LABEL_SOURCE = 'k8s';

/** The construct path the metadata names: where the intent was declared (`OriginModel.declaredPath`), else its path. */
export function constructPathOf(origin: OriginModel): string {
  return origin.declaredPath ?? origin.path;
}

/** The annotations that name the intent behind an object, in a fixed key order. */
export function intentAnnotations(origin: OriginModel): Record<string, string> {
  return {
    [CONSTRUCT_PATH_ANNOTATION]: constructPathOf(origin),
    [INTENT_ANNOTATION]: origin.intent,
    ...(origin.shared !== undefined ? { [SHARED_ANNOTATION]: origin.shared } : {}),
  };
}

/**
 * The same facts as Cilium rule labels (`spec.labels`). Cilium appends a rule's labels to the
 * labels it derives from the object and reports them in Hubble's `Policy.labels` of every flow
 * the rule allows or denies (`egress_allowed_by`, `ingress_denied_by`, …; cilium/cilium
 * `pkg/policy/correlation/correlation.go`), so a live verdict names the construct path. Labels
 * only identify rules: they change nothing Cilium enforces.
 */
export function ciliumIntentLabels(origin: OriginModel): { key: string; value: string; source: string }[] {
  return Object.entries(intentAnnotations(origin)).map(([key, value]) => ({ key, value, source: CILIUM_LABEL_SOURCE }));
}

/**
 * Calico rule metadata (`metadata.annotations` of a rule): Felix writes each annotation as a
 * `key=value` comment on the dataplane rules of that rule (projectcalico/calico
 * `felix/rules/policy.go`), so `iptables-save` or `nft list ruleset` names the construct path too.
 */
export function calicoRuleMetadata(origin: OriginModel): { annotations: Record<string, string> } {
  return { annotations: intentAnnotations(origin) };
}

/**
 * A rule name that names the intent, for dialects whose rules have a name field
 * (ClusterNetworkPolicy's `name`, "used by the implementation to help improve observability"):
 * the construct path, then the part of the intent the rule is (`isolation`, `2` for the second
 * rule of one intent). At most `max` characters: a longer path is cut and ends in `~` and 8 hex
 * characters of a SHA-256 of the full name, so names stay distinct and deterministic.
 */
export function intentRuleName(path: string, part: string | undefined, max: number): string {
  const full = part ? `${path} ${part}` : path;
  if (full.length <= max) return full;
  const tail = part ? ` ${part}` : '';
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${path.slice(0, Math.max(0, max - tail.length - 9))}~${hash}${tail}`;
}
