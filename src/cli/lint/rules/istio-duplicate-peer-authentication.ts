import { ISTIO_ROOT_NAMESPACE } from '../istio-policy';
import { describeObject, KIND, LintObject } from '../lint-object';
import { LintContext, LintViolation } from '../lint-rule';
import { asObject, asString, specOf } from '../manifest-fields';
import { perRun } from '../per-run';

/**
 * Two namespace-wide PeerAuthentications (no selector, or empty `matchLabels`) in one namespace —
 * or two mesh-wide ones in the root namespace: istiod applies only the oldest (by
 * `creationTimestamp`, then by name) and ignores the others with a log line (istio/istio
 * `pilot/pkg/model/authentication.go` `addPeerAuthentication`; `authn/policy_applier.go`
 * `ComposePeerAuthentication`), so editing the ignored one changes nothing. Reported on every
 * PeerAuthentication of the namespace but the one that applies (when the manifests carry
 * `creationTimestamp`), or but the first one given.
 */
export function istioDuplicatePeerAuthentication(object: LintObject, context: LintContext): LintViolation[] {
  if (object.key !== KIND.istioPeerAuthentication || object.namespace === undefined || !namespaceWide(object)) {
    return [];
  }
  const group = perRun(context, namespaceWidePeerAuthentications).get(object.namespace) ?? [];
  if (group.length < 2) {
    return [];
  }
  const stamps = group.map(creationTime);
  const known = stamps.every((stamp) => stamp !== undefined);
  const applied = known ? oldest(group, stamps as number[]) : group[0];
  if (applied === object) {
    return [];
  }
  const scope = object.namespace === ISTIO_ROOT_NAMESPACE ? `the whole mesh (root namespace ${ISTIO_ROOT_NAMESPACE})` : `the whole namespace ${object.namespace}`;
  const modes = [...new Set(group.map(mode))];
  const others = group.filter((other) => other !== object).map((other) => `${other.name} (${mode(other)})`).join(', ');
  return [{
    path: 'spec',
    message: `${group.length} PeerAuthentications are written for ${scope} (this one, ${mode(object)}; ${others}) and istiod applies only the oldest — `
      + (known ? `${applied.name}, by creationTimestamp — so this one is ignored` : 'by creationTimestamp, then name; these manifests carry none, so which one applies depends on the order they were created')
      + (modes.length > 1 ? `; their modes differ (${modes.join(', ')}), so that order decides which clients can connect` : ''),
    fix: `keep one namespace-wide PeerAuthentication per namespace: merge them into ${describeObject(applied)} and delete the others; use a selector for workload-specific modes`,
  }];
}

function namespaceWide(object: LintObject): boolean {
  const selector = asObject(specOf(object.raw).selector);
  return selector === undefined || Object.keys(asObject(selector.matchLabels) ?? {}).length === 0;
}

/** The namespace-wide PeerAuthentications of the run by namespace, in input order. */
function namespaceWidePeerAuthentications(context: LintContext): ReadonlyMap<string, readonly LintObject[]> {
  const groups = new Map<string, LintObject[]>();
  for (const object of context.objects) {
    if (object.key === KIND.istioPeerAuthentication && object.namespace !== undefined && namespaceWide(object)) {
      const group = groups.get(object.namespace);
      if (group) {
        group.push(object);
      } else {
        groups.set(object.namespace, [object]);
      }
    }
  }
  return groups;
}

function mode(object: LintObject): string {
  return asString(asObject(specOf(object.raw).mtls)?.mode) ?? 'UNSET';
}

/** `metadata.creationTimestamp` in milliseconds (the API server writes RFC 3339 seconds), or undefined. */
function creationTime(object: LintObject): number | undefined {
  const value = asObject(object.raw.metadata)?.creationTimestamp;
  const text = asString(value);
  // A YAML 1.1 reader may have made the timestamp a Date already.
  const time = value instanceof Date ? value.getTime() : text === undefined ? NaN : Date.parse(text);
  return Number.isNaN(time) ? undefined : time;
}

/** Oldest first, ties by name (`pilot/pkg/model/config.go` `configCompareByCreationTime`). */
function oldest(group: readonly LintObject[], stamps: readonly number[]): LintObject {
  let best = 0;
  for (let i = 1; i < group.length; i++) {
    if (stamps[i] < stamps[best] || (stamps[i] === stamps[best] && group[i].name < group[best].name)) {
      best = i;
    }
  }
  return group[best];
}
