import { hasLabel, PodSetModel, selectorToString } from '../../model';

/** Whether two pod sets can share a pod (conservative: true unless they provably cannot). */
export function mayOverlap(a: PodSetModel, b: PodSetModel): boolean {
  if (a.namespace !== b.namespace) return false;
  if (a.serviceAccount && b.serviceAccount && a.serviceAccount !== b.serviceAccount) return false;
  for (const [k, v] of Object.entries(a.pods.matchLabels)) {
    if (hasLabel(b.pods.matchLabels, k) && b.pods.matchLabels[k] !== v) return false;
  }
  return true;
}

/** Whether `outer` provably holds every pod of `inner` (conservative: false when unsure). */
export function covers(outer: PodSetModel, inner: PodSetModel): boolean {
  if (outer.namespace !== inner.namespace) return false;
  if (outer.serviceAccount && outer.serviceAccount !== inner.serviceAccount) return false;
  if (!Object.entries(outer.pods.matchLabels).every(([k, v]) => hasLabel(inner.pods.matchLabels, k) && inner.pods.matchLabels[k] === v)) return false;
  const innerExprs = new Set(inner.pods.matchExpressions.map(e => selectorToString({ matchLabels: {}, matchExpressions: [e] })));
  return outer.pods.matchExpressions.every(e => innerExprs.has(selectorToString({ matchLabels: {}, matchExpressions: [e] })));
}
