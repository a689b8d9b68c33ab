import { LabelSelectorModel } from '../../model';

/** The namespace label every namespace carries with its own name (immutable, set by the API server). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** A model selector as a Kubernetes LabelSelector (empty fields omitted; `{}` selects everything). */
export function kubeSelector(s: LabelSelectorModel): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (Object.keys(s.matchLabels).length) out.matchLabels = { ...s.matchLabels };
  if (s.matchExpressions.length) {
    out.matchExpressions = s.matchExpressions.map(e => (e.values.length
      ? { key: e.key, operator: e.operator, values: [...e.values] }
      : { key: e.key, operator: e.operator }));
  }
  return out;
}
