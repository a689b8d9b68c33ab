import { intersectSelectors, LabelSelectorModel, selectorToString, EVERYTHING } from './label-selector';

/**
 * A set of pods in ONE namespace: the subject a rule protects or restricts.
 * Pods must match `pods` and, when set, run as `serviceAccount`.
 */
export interface PodSetModel {
  readonly namespace: string;
  readonly pods: LabelSelectorModel;
  readonly serviceAccount?: string;
  /**
   * Where `serviceAccount` came from when the user did not write it, e.g. `the serviceAccount of Deployment
   * shop/web`, for messages only: never part of what the set selects, nor of its string form.
   */
  readonly serviceAccountOrigin?: string;
  /**
   * The name of the Kubernetes Service (in `namespace`) that fronts exactly
   * these pods, when the user named it. It does not change which pods the set
   * holds; engines that enforce L7 rules in a per-Service proxy (Istio
   * ambient waypoints) bind policies to it.
   */
  readonly service?: string;
}

/** All pods of a namespace. */
export function allPodsIn(namespace: string): PodSetModel {
  return Object.freeze({ namespace, pods: EVERYTHING });
}

/** The pods in both sets, or undefined when the sets cannot overlap. The result names no Service. */
export function intersectPodSets(a: PodSetModel, b: PodSetModel): PodSetModel | undefined {
  if (a.namespace !== b.namespace) return undefined;
  if (a.serviceAccount && b.serviceAccount && a.serviceAccount !== b.serviceAccount) return undefined;
  const serviceAccount = a.serviceAccount ?? b.serviceAccount;
  const serviceAccountOrigin = a.serviceAccount ? a.serviceAccountOrigin : b.serviceAccountOrigin;
  return Object.freeze({
    namespace: a.namespace,
    pods: intersectSelectors(a.pods, b.pods),
    ...(serviceAccount ? { serviceAccount } : {}),
    ...(serviceAccountOrigin ? { serviceAccountOrigin } : {}),
  });
}

/** Readable form, e.g. `production/app=frontend (sa frontend)`. */
export function podSetToString(p: PodSetModel): string {
  return `${p.namespace}/${selectorToString(p.pods)}${p.serviceAccount ? ` (sa ${p.serviceAccount})` : ''}`;
}

/**
 * The service account of a pod set or pods peer with where it came from, as fields to spread into another
 * one (`{ ...serviceAccountFields(p) }`), so that a derived set keeps the origin for its messages.
 */
export function serviceAccountFields(p: { readonly serviceAccount?: string; readonly serviceAccountOrigin?: string }):
{ serviceAccount?: string; serviceAccountOrigin?: string } {
  return {
    ...(p.serviceAccount ? { serviceAccount: p.serviceAccount } : {}),
    ...(p.serviceAccount && p.serviceAccountOrigin ? { serviceAccountOrigin: p.serviceAccountOrigin } : {}),
  };
}
