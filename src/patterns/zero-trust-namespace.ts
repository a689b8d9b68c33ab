import { Construct } from 'constructs';
import { MonitoringAllowance } from './monitoring-allowance';
import { Engine } from '../engine/engine';
import { AllowDns } from '../intent/allow-dns';
import { AllowFrom, AllowFromProps } from '../intent/allow-from';
import { AllowTo, AllowToProps } from '../intent/allow-to';
import { DefaultDeny } from '../intent/default-deny';
import { EgressToCidr, EgressToCidrProps } from '../intent/egress-to-cidr';
import { MtlsMode } from '../intent/mtls-mode';
import { MutualTls } from '../intent/mutual-tls';
import { Peer } from '../intent/peer';
import { PolicyDirection } from '../intent/policy-direction';
import { PolicyStage } from '../intent/policy-stage';
import { Port } from '../intent/port';
import { resolveNamespace, resolveStage } from '../intent/private/intent-scope';
import { checkBoolean, checkInstance, checkPropsObject } from '../intent/private/props';
import { portsProp, workloadProp } from '../intent/private/typed-props';
import { Workload } from '../intent/workload';
import { InputProblem, throwIfProblems } from '../validation/input-error';
import { checkLabels, checkNamespaceName, checkSubdomainName } from '../validation/validators';

/** Properties of `ZeroTrustNamespace`. */
export interface ZeroTrustNamespaceProps {
  /**
   * The namespace to lock down.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * The engine for this namespace's policies; attached to the construct.
   * @default - the engine attached to the chart (or a scope above)
   */
  readonly engine?: Engine;
  /**
   * The mutual-TLS mode of the namespace, where the engine has mTLS (Istio).
   * @default MtlsMode.STRICT
   */
  readonly mtlsMode?: MtlsMode;
  /**
   * Acknowledge that the engine may not encrypt or authenticate traffic: CNI
   * engines (Kubernetes, Cilium, Calico) filter connections but cannot
   * require mutual TLS. Without it, synthesis fails on those engines; with it,
   * the namespace's mTLS requirement renders nothing there. Engines that have
   * mTLS (Istio) have nothing to acknowledge and enforce `mtlsMode` as
   * always, so one app can switch engines without changing its props.
   * @default false
   */
  readonly acknowledgeNoEncryption?: boolean;
  /**
   * Let a monitoring system scrape metrics ports of the namespace's pods.
   * @default - no monitoring allowance
   */
  readonly monitoring?: MonitoringAllowance;
  /**
   * Also allow the NodeLocal DNSCache address (see `AllowDns`).
   * @default false
   */
  readonly nodeLocalDns?: boolean;
  /**
   * Deny egress too (with DNS allowed). `false` isolates ingress only, and
   * then adds no DNS allowance either (it would isolate egress).
   * @default true
   */
  readonly denyEgress?: boolean;
  /**
   * Enforce the baseline and the allowances added through this construct, or
   * only observe them (the mTLS mode is always enforced).
   * @default PolicyStage.ENFORCE
   */
  readonly stage?: PolicyStage;
}

/**
 * The seed article's recommended baseline for a namespace, in one construct:
 * default deny in both directions, DNS allowed, STRICT mutual TLS where the
 * engine has it (Istio), and optionally Prometheus scraping. Add the flows the
 * application needs with `allowFrom()` and `egressToCidr()`.
 *
 * With a CNI-only engine, traffic is filtered but not encrypted: synthesis
 * fails until you say so with `acknowledgeNoEncryption: true`.
 *
 * @example
 * const prod = new ZeroTrustNamespace(chart, 'production', { engine: Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.cilium() }) });
 * prod.allowFrom('frontend-to-backend', { to: backend, peers: [Peer.serviceAccount('frontend')], ports: [Port.tcp(8080)] });
 */
export class ZeroTrustNamespace extends Construct {
  /** The namespace it locks down. */
  public readonly namespace: string;
  /** The default deny of the namespace. */
  public readonly defaultDeny: DefaultDeny;
  /** The DNS allowance, unless egress is not denied. */
  public readonly allowDns?: AllowDns;
  /** The namespace's mTLS requirement (it renders nothing on engines without mTLS when `acknowledgeNoEncryption` is set). */
  public readonly mutualTls: MutualTls;
  /** The monitoring allowance, when one was asked for. */
  public readonly monitoringAllowance?: AllowFrom;
  private readonly stage: PolicyStage;

  constructor(scope: Construct, id: string, props: ZeroTrustNamespaceProps = {}) {
    super(scope, id);
    const problems: InputProblem[] = [];
    const p = checkPropsObject(props, PROPS, problems, false);
    const engine = p.engine === undefined ? undefined
      : checkInstance('engine', p.engine, Engine, 'Engine', 'Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.cilium() })', problems);
    this.namespace = resolveNamespace(this, p.namespace, problems);
    const monitoring = p.monitoring === undefined ? undefined : monitoringPeer(p.monitoring, problems);
    if (p.mtlsMode !== undefined && p.mtlsMode !== MtlsMode.STRICT && p.mtlsMode !== MtlsMode.PERMISSIVE) {
      problems.push({ what: 'mtlsMode', value: p.mtlsMode, expected: 'MtlsMode.STRICT or MtlsMode.PERMISSIVE', fix: 'use the MtlsMode enum' });
    }
    const flag = (name: string) => (p[name] === undefined ? undefined : checkBoolean(name, p[name], problems));
    const acknowledgeNoEncryption = flag('acknowledgeNoEncryption');
    const nodeLocalDns = flag('nodeLocalDns');
    const denyEgress = flag('denyEgress') !== false;
    const stage = p.stage === undefined ? PolicyStage.ENFORCE : p.stage as PolicyStage;
    resolveStage(p.stage, problems);
    throwIfProblems(this.node.path, problems);
    if (engine) Engine.attach(this, engine);
    this.stage = stage;

    this.defaultDeny = new DefaultDeny(this, 'default-deny', {
      namespace: this.namespace,
      directions: denyEgress ? [PolicyDirection.INGRESS, PolicyDirection.EGRESS] : [PolicyDirection.INGRESS],
      stage: this.stage,
    });
    if (denyEgress) {
      this.allowDns = new AllowDns(this, 'allow-dns', { namespace: this.namespace, nodeLocalDns, stage: this.stage });
    }
    // On a CNI-only engine this fails synthesis with the capability error, whose fix names acknowledgeNoEncryption.
    this.mutualTls = new MutualTls(this, 'mtls', {
      namespace: this.namespace,
      mode: (p.mtlsMode as MtlsMode | undefined) ?? MtlsMode.STRICT,
      acknowledgeNoEncryption: acknowledgeNoEncryption === true,
    });
    if (monitoring) {
      this.monitoringAllowance = new AllowFrom(this, 'monitoring', {
        namespace: this.namespace,
        to: monitoring.pods ?? Workload.allPods(),
        peers: [monitoring.peer],
        ports: monitoring.ports,
        stage: this.stage,
      });
    }
  }

  /**
   * Allows connections into a workload of this namespace (an `AllowFrom`
   * inside it, in the namespace's stage).
   */
  public allowFrom(id: string, props: AllowFromProps): AllowFrom {
    this.checkInside(id, 'allowFrom', props?.namespace, props?.to?._namespace);
    return new AllowFrom(this, id, { ...props, namespace: this.namespace, stage: props?.stage === undefined ? this.stage : props.stage });
  }

  /**
   * Allows a workload of this namespace to connect to peers (an `AllowTo`
   * inside it, in the namespace's stage). The namespace's DNS allowance covers
   * the workload, unless egress is not denied.
   */
  public allowTo(id: string, props: AllowToProps): AllowTo {
    this.checkInside(id, 'allowTo', props?.namespace, props?.workload?._namespace);
    return new AllowTo(this, id, { ...props, namespace: this.namespace, stage: props?.stage === undefined ? this.stage : props.stage });
  }

  /**
   * Allows a workload of this namespace to connect to a CIDR block (an
   * `EgressToCidr` inside it, in the namespace's stage).
   */
  public egressToCidr(id: string, props: EgressToCidrProps): EgressToCidr {
    this.checkInside(id, 'egressToCidr', props?.namespace, props?.workload?._namespace);
    return new EgressToCidr(this, id, { ...props, namespace: this.namespace, stage: props?.stage === undefined ? this.stage : props.stage });
  }

  private checkInside(id: string, method: string, ...namespaces: (string | undefined)[]): void {
    const other = namespaces.find(n => n !== undefined && n !== this.namespace);
    if (other !== undefined) {
      throwIfProblems(`${this.node.path}/${id}`, [{
        what: `namespace given to ${method}()`,
        value: other,
        expected: `the namespace of the ZeroTrustNamespace (${this.namespace})`,
        fix: `create the allowance in the ZeroTrustNamespace of ${other}, or use ${method.charAt(0).toUpperCase()}${method.slice(1)} directly`,
      }]);
    }
  }
}

const PROPS = ['namespace', 'engine', 'mtlsMode', 'acknowledgeNoEncryption', 'monitoring', 'nodeLocalDns', 'denyEgress', 'stage'];
const MONITORING_PROPS = ['namespace', 'namespaceLabels', 'podLabels', 'serviceAccount', 'exclusiveServiceAccount', 'ports', 'pods'];

/** The scraper as a peer, the metrics ports and the scraped pods of a monitoring allowance. */
function monitoringPeer(given: unknown, problems: InputProblem[]): { peer: Peer; ports: Port[]; pods?: Workload } | undefined {
  const found: InputProblem[] = [];
  const m = checkPropsObject(given, MONITORING_PROPS, found, true) as Partial<Record<keyof MonitoringAllowance, unknown>>;
  const ports = portsProp('ports of monitoring', m.ports, found, 'pass the metrics ports, e.g. [Port.tcp(9090)]');
  const pods = m.pods === undefined ? undefined : workloadProp('pods of monitoring', m.pods, found);
  if ((m.namespace === undefined) === (m.namespaceLabels === undefined)) {
    found.push({
      what: 'namespace of monitoring',
      value: { namespace: m.namespace, namespaceLabels: m.namespaceLabels },
      expected: 'exactly one of namespace and namespaceLabels',
      fix: 'name the scraper\'s namespace (namespace: \'monitoring\') or select it by its labels (namespaceLabels: { team: \'monitoring\' })',
    });
  }
  if (m.namespace !== undefined) found.push(...checkNamespaceName('namespace of monitoring', m.namespace));
  if (m.namespaceLabels !== undefined) {
    found.push(...checkLabels('namespaceLabels of monitoring', m.namespaceLabels));
    if (found.length === 0 && Object.keys(m.namespaceLabels as object).length === 0) {
      found.push({ what: 'namespaceLabels of monitoring', value: m.namespaceLabels, expected: 'at least one label', fix: 'an empty selector would mean every namespace: name the labels of the monitoring namespace' });
    }
  }
  if (m.podLabels !== undefined) found.push(...checkLabels('podLabels of monitoring', m.podLabels));
  if (m.serviceAccount !== undefined) found.push(...checkSubdomainName('serviceAccount of monitoring', m.serviceAccount));
  problems.push(...found);
  if (found.length) return undefined;
  const peer = Peer.pods({
    ...(m.namespace !== undefined ? { namespace: m.namespace as string } : { namespaceLabels: m.namespaceLabels as Record<string, string> }),
    ...(m.podLabels !== undefined ? { podLabels: m.podLabels as Record<string, string> } : {}),
    ...(m.serviceAccount !== undefined ? { serviceAccount: m.serviceAccount as string } : {}),
    ...(m.exclusiveServiceAccount !== undefined ? { exclusiveServiceAccount: m.exclusiveServiceAccount as boolean } : {}),
  });
  problems.push(...peer._problems);
  return { peer, ports, ...(pods ? { pods } : {}) };
}
