import { Construct } from 'constructs';
import { MonitoringAllowance } from './monitoring-allowance';
import { Engine } from '../engine/engine';
import { AllowDns } from '../intent/allow-dns';
import { AllowFrom, AllowFromProps } from '../intent/allow-from';
import { DefaultDeny } from '../intent/default-deny';
import { EgressToCidr, EgressToCidrProps } from '../intent/egress-to-cidr';
import { MtlsMode } from '../intent/mtls-mode';
import { MutualTls } from '../intent/mutual-tls';
import { Peer } from '../intent/peer';
import { PolicyDirection } from '../intent/policy-direction';
import { PolicyStage } from '../intent/policy-stage';
import { resolveNamespace } from '../intent/private/intent-scope';
import { Workload } from '../intent/workload';
import { InputProblem, throwIfProblems } from '../validation/input-error';
import { checkNamespaceName, checkSubdomainName } from '../validation/validators';

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
   * Acknowledge that the engine does not encrypt or authenticate traffic:
   * CNI engines (Kubernetes, Cilium, Calico) filter connections but cannot
   * require mutual TLS. Without it, synthesis fails on those engines; with
   * it, synthesis fails on engines that do have mTLS (say `mtlsMode`).
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
  /** The namespace's mTLS requirement, unless encryption was acknowledged as absent. */
  public readonly mutualTls?: MutualTls;
  /** The monitoring allowance, when one was asked for. */
  public readonly monitoringAllowance?: AllowFrom;
  private readonly stage: PolicyStage;

  constructor(scope: Construct, id: string, props: ZeroTrustNamespaceProps = {}) {
    super(scope, id);
    const problems: InputProblem[] = [];
    if (props.engine !== undefined) {
      if (!(props.engine instanceof Engine)) {
        problems.push({ what: 'engine', value: props.engine, expected: 'an Engine, e.g. Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.cilium() })', fix: 'pass an engine from one of the Engine factories, or leave it out to use the chart\'s' });
      }
    }
    this.namespace = resolveNamespace(this, props.namespace, problems);
    if (props.monitoring !== undefined) problems.push(...checkMonitoring(props.monitoring));
    if (props.mtlsMode !== undefined && props.mtlsMode !== MtlsMode.STRICT && props.mtlsMode !== MtlsMode.PERMISSIVE) {
      problems.push({ what: 'mtlsMode', value: props.mtlsMode, expected: 'MtlsMode.STRICT or MtlsMode.PERMISSIVE', fix: 'use the MtlsMode enum' });
    }
    if (props.acknowledgeNoEncryption && props.mtlsMode !== undefined) {
      problems.push({ what: 'mtlsMode', value: props.mtlsMode, expected: 'no mTLS mode together with acknowledgeNoEncryption', fix: 'drop acknowledgeNoEncryption on an engine with mTLS, or drop mtlsMode on a CNI-only engine' });
    }
    throwIfProblems(this.node.path, problems);
    if (props.engine) Engine.attach(this, props.engine);
    this.stage = props.stage ?? PolicyStage.ENFORCE;
    const denyEgress = props.denyEgress !== false;

    this.defaultDeny = new DefaultDeny(this, 'default-deny', {
      namespace: this.namespace,
      directions: denyEgress ? [PolicyDirection.INGRESS, PolicyDirection.EGRESS] : [PolicyDirection.INGRESS],
      stage: this.stage,
    });
    if (denyEgress) {
      this.allowDns = new AllowDns(this, 'allow-dns', { namespace: this.namespace, nodeLocalDns: props.nodeLocalDns, stage: this.stage });
    }
    if (!props.acknowledgeNoEncryption) {
      // On a CNI-only engine this fails synthesis with the capability error, whose fix names acknowledgeNoEncryption.
      this.mutualTls = new MutualTls(this, 'mtls', { namespace: this.namespace, mode: props.mtlsMode ?? MtlsMode.STRICT });
    } else {
      this.node.addValidation({ validate: () => this.checkAcknowledgement() });
    }
    if (props.monitoring) {
      const m = props.monitoring;
      this.monitoringAllowance = new AllowFrom(this, 'monitoring', {
        namespace: this.namespace,
        to: m.pods ?? Workload.allPods(),
        peers: [m.serviceAccount ? Peer.serviceAccount(m.serviceAccount, m.namespace) : Peer.namespace(m.namespace)],
        ports: m.ports,
        stage: this.stage,
      });
    }
  }

  /**
   * Allows connections into a workload of this namespace (an `AllowFrom`
   * inside it, in the namespace's stage).
   */
  public allowFrom(id: string, props: AllowFromProps): AllowFrom {
    this.checkInside(id, 'allowFrom', props.namespace, props.to?._namespace);
    return new AllowFrom(this, id, { ...props, namespace: this.namespace, stage: props.stage ?? this.stage });
  }

  /**
   * Allows a workload of this namespace to connect to a CIDR block (an
   * `EgressToCidr` inside it, in the namespace's stage).
   */
  public egressToCidr(id: string, props: EgressToCidrProps): EgressToCidr {
    this.checkInside(id, 'egressToCidr', props.namespace, props.workload?._namespace);
    return new EgressToCidr(this, id, { ...props, namespace: this.namespace, stage: props.stage ?? this.stage });
  }

  private checkInside(id: string, method: string, ...namespaces: (string | undefined)[]): void {
    const other = namespaces.find(n => n !== undefined && n !== this.namespace);
    if (other !== undefined) {
      throwIfProblems(`${this.node.path}/${id}`, [{
        what: `namespace given to ${method}()`,
        value: other,
        expected: `the namespace of the ZeroTrustNamespace (${this.namespace})`,
        fix: `create the allowance in the ZeroTrustNamespace of ${other}, or use ${method === 'allowFrom' ? 'AllowFrom' : 'EgressToCidr'} directly`,
      }]);
    }
  }

  private checkAcknowledgement(): string[] {
    const engine = Engine.tryOf(this);
    if (engine && engine._dialect.capabilities['mtls.strict'].level === 'exact') {
      return [`acknowledgeNoEncryption is set, but the ${engine.name} engine does require mutual TLS. Fix: drop acknowledgeNoEncryption (the namespace then gets STRICT mTLS), or set mtlsMode: MtlsMode.PERMISSIVE to accept plaintext clients.`];
    }
    return [];
  }
}

function checkMonitoring(m: MonitoringAllowance): InputProblem[] {
  const out: InputProblem[] = [...checkNamespaceName('namespace of monitoring', m.namespace)];
  if (m.serviceAccount !== undefined) out.push(...checkSubdomainName('serviceAccount of monitoring', m.serviceAccount));
  if (!Array.isArray(m.ports) || m.ports.length === 0) {
    out.push({ what: 'ports of monitoring', value: m.ports, expected: 'at least one metrics port', fix: 'pass e.g. [Port.tcp(9090)]' });
  }
  return out;
}
