import { CalicoSelectorNode } from './selector-ast';
import { LabelSelectorModel } from '../../model';

/**
 * A model (Kubernetes) label selector as a Calico expression. The two agree on
 * every operator: `NotIn` / `not in` and `DoesNotExist` / `!has()` also hold
 * when the key is absent. An empty selector is `all()`.
 */
export function labelSelectorNode(s: LabelSelectorModel): CalicoSelectorNode {
  const terms: CalicoSelectorNode[] = Object.entries(s.matchLabels).map(([key, value]) => ({ op: 'eq', key, value }));
  for (const e of s.matchExpressions) {
    switch (e.operator) {
      case 'In': terms.push({ op: 'in', key: e.key, values: e.values }); break;
      case 'NotIn': terms.push({ op: 'notIn', key: e.key, values: e.values }); break;
      case 'Exists': terms.push({ op: 'has', key: e.key }); break;
      case 'DoesNotExist': terms.push({ op: 'not', term: { op: 'has', key: e.key } }); break;
    }
  }
  return terms.length === 0 ? { op: 'all' } : terms.length === 1 ? terms[0] : { op: 'and', terms };
}
