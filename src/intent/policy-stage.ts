/**
 * Whether an intent is enforced or only observed. An audit-stage intent
 * allows and denies nothing: engines that can observe (Calico staged
 * policies, Istio dry-run) report what it would do; others fail synthesis.
 */
export enum PolicyStage {
  /** Enforced. */
  ENFORCE = 'enforce',
  /** Observed only: the engine reports what the policy would allow or deny. */
  AUDIT = 'audit',
}
