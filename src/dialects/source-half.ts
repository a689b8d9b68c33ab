import { RenderContext } from './dialect';
import { AllowStatement, intersectPodSets, isEverything, PodSetModel, podSetToString } from '../model';

/**
 * The pod sets an allow statement's policies must select. An isolating
 * statement selects its subject. A source half (non-isolating) selects only
 * the parts of its subject that other statements already isolate — a policy
 * selecting the other pods would isolate them, which the intent does not say.
 * Audit-stage halves see the isolation the audit statements would add.
 * Sorted, so that the objects' numbering never follows the order in which
 * the isolating intents were created.
 */
export function allowSubjects(s: AllowStatement, ctx: RenderContext): PodSetModel[] {
  if (s.isolating) return [s.subject];
  const sets = s.stage === 'audit' ? ctx.isolatedSetsWithAudit(s.subject.namespace, s.direction) : ctx.isolatedSets(s.subject.namespace, s.direction);
  if (sets.some(x => isEverything(x.pods) && !x.serviceAccount)) return [s.subject];
  const out = new Map<string, PodSetModel>();
  for (const set of sets) {
    const part = intersectPodSets(s.subject, set);
    if (part) out.set(podSetToString(part), part);
  }
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, set]) => set);
}
