/**
 * Choices on behaviour the Kubernetes API leaves to the implementation. Defaults are chosen so the
 * analysis over-approximates what any conformant plugin allows (see each option).
 */
export interface EvaluatorOptions {
  /**
   * Whether a Kubernetes `ipBlock` matches the IPs of pods in the cluster model (host-network pods
   * included, whose IP is their node's). Calico: yes; Cilium: never (pods are matched by identity only).
   *
   * Default `true`, because NetworkPolicy only ever allows: matching more can only allow more, so the
   * computed matrix is the widest any plugin enforces and a proof that "nothing beyond the intent is
   * reachable" stays sound on every plugin. It is also what upstream e2e tests expect
   * (`test/e2e/network/netpol`: egress to a pod's IP/32 is allowed, except excludes it). Run with
   * `false` to see the Cilium view; a difference between the two matrices flags an ipBlock that
   * overlaps pod IPs, which a portable intent should not have.
   * @default true
   */
  readonly ipBlockMatchesPods?: boolean;
  /**
   * A pod's connections to itself (its own IP). The Kubernetes documentation says a pod cannot block
   * access to itself; plugins differ on traffic that hairpins through a Service, which is why the
   * upstream e2e suite ignores loopback. `evaluate` applies the policies like to any other pair.
   * @default 'allow'
   */
  readonly selfTraffic?: 'allow' | 'evaluate';
  /**
   * Traffic between a pod and its own node, which the Kubernetes documentation says is always allowed
   * (kubelet probes). The cluster model sees the node through host-network pods with the same
   * `spec.nodeName`. `evaluate` applies the policies instead.
   * @default 'allow'
   */
  readonly nodeLocalTraffic?: 'allow' | 'evaluate';
}

/** Options with every default applied. */
export interface ResolvedEvaluatorOptions {
  readonly ipBlockMatchesPods: boolean;
  readonly selfTraffic: 'allow' | 'evaluate';
  readonly nodeLocalTraffic: 'allow' | 'evaluate';
}

/** Applies the documented defaults. */
export function resolveEvaluatorOptions(options: EvaluatorOptions = {}): ResolvedEvaluatorOptions {
  return {
    ipBlockMatchesPods: options.ipBlockMatchesPods ?? true,
    selfTraffic: options.selfTraffic ?? 'allow',
    nodeLocalTraffic: options.nodeLocalTraffic ?? 'allow',
  };
}
