import { StringMatch, stringMatches } from './string-match';

/**
 * A condition on the client's mesh identity (Istio's `principals`, `namespaces` and
 * `serviceAccounts`): the SPIFFE ID of the client pod, built with `trustDomain`, must match one of
 * `anyOf`.
 */
export interface IdentityCondition {
  /**
   * The trust domain of the model's SPIFFE IDs: the mesh's, when the reader was told it, else
   * `PLACEHOLDER_TRUST_DOMAIN` — and then the matchers' answers do not depend on it.
   */
  readonly trustDomain: string;
  readonly anyOf: readonly StringMatch[];
}

/**
 * The trust domain written into SPIFFE IDs when the mesh's is unknown: Istio's default. The
 * Istio translator then only emits matchers whose answer is the same for every trust domain
 * (`translate/istio-matchers.ts`), so it never decides a verdict.
 */
export const PLACEHOLDER_TRUST_DOMAIN = 'cluster.local';

/**
 * The SPIFFE ID a pod's mesh certificate carries, `spiffe://<trust domain>/ns/<namespace>/sa/<service account>`
 * (istio/istio `pkg/spiffe`): the string Istio's principal, namespace and service-account matchers see.
 */
export function spiffeId(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `spiffe://${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** True if a pod satisfies the identity condition (undefined = no condition). */
export function identityMatches(condition: IdentityCondition | undefined, namespace: string, serviceAccount: string): boolean {
  if (condition === undefined) {
    return true;
  }
  const id = spiffeId(condition.trustDomain, namespace, serviceAccount);
  return condition.anyOf.some((match) => stringMatches(match, id));
}
