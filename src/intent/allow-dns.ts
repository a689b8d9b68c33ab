import { Construct } from 'constructs';
import { PolicyStage } from './policy-stage';
import { dnsAllowance } from './private/dns-allowance';
import { InputProblem, throwIfProblems } from '../validation/input-error';
import { resolveNamespace, resolveStage } from './private/intent-scope';
import { checkPropsObject } from './private/props';
import { workloadProp } from './private/typed-props';
import { Workload } from './workload';
import { PolicyCompiler } from '../engine/compiler';
import { AllowStatement, allPodsIn } from '../model';

/** Properties of `AllowDns`. */
export interface AllowDnsProps {
  /**
   * The namespace whose pods may resolve names.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Only these pods of the namespace.
   * @default - every pod of the namespace
   */
  readonly pods?: Workload;
  /**
   * Labels of the namespace the cluster DNS runs in.
   * @default { 'kubernetes.io/metadata.name': 'kube-system' }
   */
  readonly dnsNamespaceLabels?: { [key: string]: string };
  /**
   * Labels of the cluster DNS pods (kube-dns / CoreDNS).
   * @default { 'k8s-app': 'kube-dns' }
   */
  readonly dnsPodLabels?: { [key: string]: string };
  /**
   * The DNS pods' container port (policies match the pod port, not the Service port; 5353 on OpenShift).
   * @default 53
   */
  readonly dnsPort?: number;
  /**
   * Also allow the NodeLocal DNSCache address, which runs on the host network
   * and is not matched by pod selectors.
   * @default false
   */
  readonly nodeLocalDns?: boolean;
  /**
   * The NodeLocal DNSCache link-local address (kubespray uses 169.254.25.10).
   * @default '169.254.20.10'
   */
  readonly nodeLocalDnsAddress?: string;
  /**
   * Enforce the policy, or only observe it (engines that cannot observe fail synthesis).
   * @default PolicyStage.ENFORCE
   */
  readonly stage?: PolicyStage;
}

const PROPS = ['namespace', 'pods', 'dnsNamespaceLabels', 'dnsPodLabels', 'dnsPort', 'nodeLocalDns', 'nodeLocalDnsAddress', 'stage'];

/**
 * Allows DNS lookups — UDP and TCP, to the cluster DNS pods (and optionally
 * NodeLocal DNSCache) — from a namespace's pods. Needed with any egress
 * default deny: without it, every Service-name lookup fails.
 */
export class AllowDns extends Construct {
  /** The namespace the policy applies to. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: AllowDnsProps = {}) {
    super(scope, id);
    const problems: InputProblem[] = [];
    const p = checkPropsObject(props, PROPS, problems, false) as AllowDnsProps;
    const pods = p.pods === undefined ? undefined : workloadProp('pods', p.pods, problems);
    this.namespace = resolveNamespace(this, pods?._namespace ?? p.namespace, problems);
    const { peers, ports } = dnsAllowance(p, problems);
    const stage = resolveStage(p.stage, problems);
    throwIfProblems(this.node.path, problems);

    const statement: AllowStatement = {
      kind: 'allow',
      origin: PolicyCompiler.origin(this, 'AllowDns'),
      stage,
      direction: 'egress',
      subject: pods ? pods._toPodSet(this.namespace) : allPodsIn(this.namespace),
      peers,
      ports,
      isolating: true,
      purpose: 'dns',
    };
    PolicyCompiler.of(this).register(this, [statement]);
  }
}
