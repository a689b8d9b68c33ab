import { intersectSelectors, LabelSelectorModel, selectorToString, EVERYTHING } from './label-selector';
import { ServicePortModel } from './service-port';

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
   * The user declared that exactly the pods with these labels run as
   * `serviceAccount` (`exclusiveServiceAccount` of the workload), so an engine
   * that cannot select service accounts may select by the labels alone. Kept
   * by intersections (the account is still implied by the labels there); only
   * a peer may be selected by its account alone (Istio principals).
   */
  readonly exclusiveServiceAccount?: boolean;
  /**
   * The name of the Kubernetes Service (in `namespace`) that fronts exactly
   * these pods, when the user named it. It does not change which pods the set
   * holds; engines that enforce L7 rules in a per-Service proxy (Istio
   * ambient waypoints) bind policies to it.
   */
  readonly service?: string;
  /**
   * The TCP ports of `service` (Service port and the container port it forwards to), when the user declared
   * them: a waypoint's policies match the Service port (docs/dialects/istio.md "Ambient mode"), the rest of the
   * model the container port.
   */
  readonly servicePorts?: readonly ServicePortModel[];
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
  // The account stays implied by the labels if a set that names it declared so: those labels are part of the result.
  const exclusive = serviceAccount !== undefined && [a, b].some(x => x.serviceAccount === serviceAccount && x.exclusiveServiceAccount === true);
  return Object.freeze({
    namespace: a.namespace,
    pods: intersectSelectors(a.pods, b.pods),
    ...(serviceAccount ? { serviceAccount } : {}),
    ...(serviceAccountOrigin ? { serviceAccountOrigin } : {}),
    ...(exclusive ? { exclusiveServiceAccount: true } : {}),
  });
}

/** The same pods without the service account, where the user declared that the labels select exactly the account's pods. */
export function withoutExclusiveAccount<T extends { readonly serviceAccount?: string; readonly exclusiveServiceAccount?: boolean }>(p: T): T {
  if (!p.serviceAccount || !p.exclusiveServiceAccount) return p;
  const { serviceAccount: _sa, exclusiveServiceAccount: _x, serviceAccountOrigin: _o, ...rest } = p as T & { serviceAccountOrigin?: string };
  return rest as T;
}

/** Readable form, e.g. `production/app=frontend (sa frontend)`. */
export function podSetToString(p: PodSetModel): string {
  return `${p.namespace}/${selectorToString(p.pods)}${p.serviceAccount ? ` (sa ${p.serviceAccount})` : ''}`;
}

/**
 * The service account of a pod set or pods peer, with where it came from and whether the user declared it
 * exclusive, as fields to spread into another one (`{ ...serviceAccountFields(p) }`): a set derived from
 * another (a peer's own side, a subject seen as a peer) says the same about its account.
 */
export function serviceAccountFields(p: {
  readonly serviceAccount?: string; readonly serviceAccountOrigin?: string; readonly exclusiveServiceAccount?: boolean;
}): { serviceAccount?: string; serviceAccountOrigin?: string; exclusiveServiceAccount?: boolean } {
  if (!p.serviceAccount) return {};
  return {
    serviceAccount: p.serviceAccount,
    ...(p.serviceAccountOrigin ? { serviceAccountOrigin: p.serviceAccountOrigin } : {}),
    ...(p.exclusiveServiceAccount ? { exclusiveServiceAccount: true } : {}),
  };
}
