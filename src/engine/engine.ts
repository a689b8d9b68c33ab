import { IConstruct } from 'constructs';
import { Dialect } from '../dialects/dialect';
import { CiliumDialect } from '../dialects/cilium';
import { KubernetesDialect } from '../dialects/kubernetes';

/** Options of the Kubernetes NetworkPolicy engine. */
export interface KubernetesEngineOptions {
  /**
   * Opt into approximating service-account (identity) selection with a pod
   * label: pods are assumed to carry this label with their service account's
   * name as the value. This WIDENS the intent — any pod carrying the label
   * matches, whatever account it runs as — so it is off unless you name it.
   * @default - service-account peers and subjects fail synthesis
   */
  readonly serviceAccountLabel?: string;
}

/** Options of the Cilium engine. */
export interface CiliumEngineOptions {
  /**
   * Opt into allowing NodeLocal DNSCache (`AllowDns({ nodeLocalDns: true })`)
   * through Cilium's `host` entity. Cilium labels the cache's link-local
   * address `host` or not depending on start order, so the address alone is
   * not reliable; the `host` entity WIDENS the allowance to the DNS ports of
   * every address of the pod's own node.
   * @default - NodeLocal DNSCache peers fail synthesis
   */
  readonly nodeLocalDnsViaHost?: boolean;
}

const ATTACHED = new WeakMap<IConstruct, Engine>();

/**
 * The policy engine a chart renders for. Choose it once per chart with
 * `Engine.attach(chart, Engine.kubernetes())`; attach a different engine to a
 * construct below the chart to override it for that subtree.
 */
export class Engine {
  /** Plain Kubernetes NetworkPolicy (networking.k8s.io/v1), enforced by the cluster's CNI. */
  public static kubernetes(options: KubernetesEngineOptions = {}): Engine {
    return new Engine('kubernetes', new KubernetesDialect({ serviceAccountLabel: options.serviceAccountLabel }));
  }

  /**
   * Cilium (cilium.io/v2 CiliumNetworkPolicy, and CiliumClusterwideNetworkPolicy
   * for peers selected by namespace labels), for Cilium 1.16 and later:
   * identity-based peers, L7 HTTP rules and DNS-name (FQDN) egress.
   * @see https://docs.cilium.io/en/stable/security/policy/
   */
  public static cilium(options: CiliumEngineOptions = {}): Engine {
    return new Engine('cilium', new CiliumDialect({ nodeLocalDnsViaHost: options.nodeLocalDnsViaHost === true }));
  }

  /**
   * Chooses the engine for every intent at or below `scope`.
   * Fails if `scope` already has an engine: choose once, override below.
   */
  public static attach(scope: IConstruct, engine: Engine): void {
    const existing = ATTACHED.get(scope);
    if (existing) {
      throw new Error(`[${scope.node.path}] an engine is already attached here (${existing.name}); got a second one (${engine.name}). Fix: attach the engine once per chart, and attach overrides to a construct below the chart.`);
    }
    ATTACHED.set(scope, engine);
  }

  /** The engine of the nearest scope at or above `scope` that has one. */
  public static of(scope: IConstruct): Engine {
    const found = Engine.tryOf(scope);
    if (!found) {
      throw new Error(`[${scope.node.path}] no policy engine is chosen for this construct. Fix: call Engine.attach(chart, Engine.kubernetes()) (or another engine) on its chart before adding intents.`);
    }
    return found;
  }

  /** The engine of the nearest scope at or above `scope` that has one, or undefined. */
  public static tryOf(scope: IConstruct): Engine | undefined {
    for (let s: IConstruct | undefined = scope; s; s = s.node.scope) {
      const e = ATTACHED.get(s);
      if (e) return e;
    }
    return undefined;
  }

  /** The engine's name (`kubernetes`, ...), as used in output folders. */
  public readonly name: string;
  /** @internal */
  public readonly _dialect: Dialect;

  private constructor(name: string, dialect: Dialect) {
    this.name = name;
    this._dialect = dialect;
  }
}
