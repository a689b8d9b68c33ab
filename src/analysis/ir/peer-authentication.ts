/**
 * Istio's PeerAuthentication in the analysis IR: which connections a workload's proxy accepts,
 * mutually authenticated (mTLS) or plaintext. Resolved per pod and port by
 * `engine/mesh-authentication.ts` (istio/istio `pilot/pkg/security/authn/policy_applier.go`
 * `ComposePeerAuthentication`, `pilot/pkg/model/authentication.go`; docs/ANALYSIS.md, "The mesh").
 */

/** A mode that decides (UNSET is `undefined`: inherit from the parent level). */
export type MtlsMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE';

/** The modes, in a stable order. */
export const MTLS_MODES: readonly MtlsMode[] = ['STRICT', 'PERMISSIVE', 'DISABLE'];

/**
 * The level a PeerAuthentication applies at: `mesh` = in the root namespace without a selector,
 * `namespace` = elsewhere without a selector (or with an empty `matchLabels`), `workload` = with a
 * selector of at least one label, outside the root namespace (a selector policy in the root
 * namespace is ignored by istiod, and refused by the reader).
 */
export type PeerAuthenticationLevel = 'mesh' | 'namespace' | 'workload';

/** One PeerAuthentication, as istiod composes it. */
export interface PeerAuthenticationSpec {
  readonly level: PeerAuthenticationLevel;
  /** The object's namespace (the root namespace for `mesh`). */
  readonly namespace: string;
  readonly name: string;
  /** `matchLabels` of a workload-level policy. */
  readonly selector?: Readonly<Record<string, string>>;
  /** `mtls.mode`; undefined = UNSET (inherit). */
  readonly mode?: MtlsMode;
  /** `portLevelMtls` (workload level only), keyed by container port; mode undefined = UNSET. */
  readonly portModes: readonly { readonly port: number; readonly mode?: MtlsMode }[];
  /**
   * `metadata.creationTimestamp`: of several policies at one level for a workload, istiod uses the
   * oldest (ties: name, then namespace). undefined when the manifest has none.
   */
  readonly createdAt?: string;
}
