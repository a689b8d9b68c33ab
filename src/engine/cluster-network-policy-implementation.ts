import { CNP_PROFILES, CnpImplementationProfile } from '../dialects/kubernetes/cnp-profile';
import { formatProblem, InputProblem } from '../validation/input-error';

const KNOWN = ['enabled', 'readsV1beta1'];

/** Options of a ClusterNetworkPolicy implementation profile. */
export interface ClusterNetworkPolicyImplementationOptions {
  /**
   * Declare that the implementation's ClusterNetworkPolicy support is turned on
   * in the cluster (its flag or feature gate). Synthesis fails for an
   * implementation whose support is off, because it would silently enforce
   * nothing.
   * @default - the implementation's own default (on for Calico; off for
   * Cilium, Antrea and kube-network-policies, which need a flag, a feature
   * gate or another variant)
   */
  readonly enabled?: boolean;
  /**
   * Declare that the implementation reads `policy.networking.k8s.io/v1beta1`
   * (needed with `ClusterNetworkPolicyApiVersion.V1BETA1`).
   * @default false - the implementations read v1alpha2 as of their cited sources
   */
  readonly readsV1beta1?: boolean;
}

/**
 * Which implementation enforces ClusterNetworkPolicy in the cluster. Each
 * supports a different part of the API (tiers, `Pass`, named ports, port
 * ranges, `networks`, `domainNames`, `nodes`, priority range), and ignores or
 * replaces what it does not support with no more than a log line; the
 * Kubernetes engine refuses, at synthesis, what the chosen one lacks.
 * docs/dialects/kubernetes.md lists each profile with its sources.
 */
export class ClusterNetworkPolicyImplementation {
  /** Calico 3.32 and later (policies in its `kube-admin` / `kube-baseline` tiers). */
  public static calico(options: ClusterNetworkPolicyImplementationOptions = {}): ClusterNetworkPolicyImplementation {
    return new ClusterNetworkPolicyImplementation(CNP_PROFILES.calico, 'calico', options);
  }

  /** Cilium 1.20 and later, with `--enable-k8s-cluster-network-policy`. */
  public static cilium(options: ClusterNetworkPolicyImplementationOptions = {}): ClusterNetworkPolicyImplementation {
    return new ClusterNetworkPolicyImplementation(CNP_PROFILES.cilium, 'cilium', options);
  }

  /** Antrea 2.7 and later, with the `ClusterNetworkPolicy` feature gate. */
  public static antrea(options: ClusterNetworkPolicyImplementationOptions = {}): ClusterNetworkPolicyImplementation {
    return new ClusterNetworkPolicyImplementation(CNP_PROFILES.antrea, 'antrea', options);
  }

  /** OVN-Kubernetes, which implements the older AdminNetworkPolicy API only: every ClusterNetworkPolicy fails synthesis. */
  public static ovnKubernetes(options: ClusterNetworkPolicyImplementationOptions = {}): ClusterNetworkPolicyImplementation {
    return new ClusterNetworkPolicyImplementation(CNP_PROFILES['ovn-kubernetes'], 'ovnKubernetes', options);
  }

  /** kube-network-policies, the `npa-v1alpha2` variant. */
  public static kubeNetworkPolicies(options: ClusterNetworkPolicyImplementationOptions = {}): ClusterNetworkPolicyImplementation {
    return new ClusterNetworkPolicyImplementation(CNP_PROFILES['kube-network-policies'], 'kubeNetworkPolicies', options);
  }

  /** The implementation's name, e.g. `Calico 3.32`. */
  public readonly name: string;
  /** @internal */
  public readonly _profile: CnpImplementationProfile;
  /** @internal */
  public readonly _enabled: boolean;
  /** @internal */
  public readonly _readsV1beta1: boolean;

  private constructor(profile: CnpImplementationProfile, factoryName: string, options: ClusterNetworkPolicyImplementationOptions) {
    const factory = `ClusterNetworkPolicyImplementation.${factoryName}()`;
    const problems: InputProblem[] = [];
    if (options !== undefined && (options === null || typeof options !== 'object' || Array.isArray(options))) {
      problems.push({ what: `options of ${factory}`, value: options, expected: `an object with ${KNOWN.join(', ')}`, fix: `leave the options out, or pass e.g. ${factory.replace('()', '({ enabled: true })')}` });
    }
    const given: Record<string, unknown> = problems.length ? {} : { ...options };
    for (const [key, value] of Object.entries(given)) {
      if (!KNOWN.includes(key)) {
        problems.push({ what: `option ${JSON.stringify(key)} of ${factory}`, value, expected: `one of ${KNOWN.join(', ')}`, fix: 'remove it: an unknown option would be ignored, and with it what it says' });
      } else if (value !== undefined && typeof value !== 'boolean') {
        problems.push({ what: `${key} of ${factory}`, value, expected: 'true or false', fix: 'leave it out for the default' });
      }
    }
    if (problems.length) throw new Error(problems.map(formatProblem).join('\n'));
    this.name = profile.name;
    this._profile = profile;
    this._enabled = (given.enabled as boolean | undefined) ?? profile.enabledByDefault;
    this._readsV1beta1 = given.readsV1beta1 === true;
  }
}
