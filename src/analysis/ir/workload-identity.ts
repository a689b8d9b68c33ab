import { conditionHolds, StringCondition } from './string-match';

/**
 * The strings of a client's mesh identity a condition can test: its SPIFFE ID
 * (`spiffe://<trust domain>/ns/<namespace>/sa/<service account>`, what Envoy's `authenticated`
 * principal matcher and ztunnel's principal matcher see) or its namespace alone (what ztunnel's
 * namespace matcher sees).
 */
export type IdentityAttribute = 'spiffeId' | 'namespace';

/** One test of a client identity: the attribute must satisfy the condition. */
export interface IdentityTest {
  readonly attribute: IdentityAttribute;
  readonly condition: StringCondition;
}

/**
 * A condition on the client's mesh identity (Istio's `principals`, `namespaces`,
 * `serviceAccounts`, their `not…` twins and the `when` keys on them, ANDed as Istio ANDs a
 * source's fields): every test in `all` must hold for the client pod's identity, with SPIFFE IDs
 * built with `trustDomain`.
 */
export interface IdentityCondition {
  /**
   * The trust domain of the model's SPIFFE IDs: the mesh's, when the reader was told it, else
   * `PLACEHOLDER_TRUST_DOMAIN` — and then the matchers' answers do not depend on it.
   */
  readonly trustDomain: string;
  /** Every test must hold; an empty list holds for every identity. */
  readonly all: readonly IdentityTest[];
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
  return condition.all.every((test) => conditionHolds(test.condition, test.attribute === 'namespace' ? namespace : id));
}
