import { Construct } from 'constructs';
import { PolicyStage } from './policy-stage';
import { resolveExceptNamespaces } from './private/cluster-scope';
import { dnsAllowance } from './private/dns-allowance';
import { checkPropsObject } from './private/props';
import { InputProblem, throwIfProblems } from '../validation/input-error';
import { resolveStage } from './private/intent-scope';
import { PolicyCompiler } from '../engine/compiler';
import { ClusterAllowStatement } from '../model';

/** Properties of `ClusterAllowDns`. */
export interface ClusterAllowDnsProps {
  /**
   * Namespaces to leave alone, besides `kube-system` and `calico-system`.
   * To satisfy a `ClusterDefaultDeny`, list at most the namespaces it lists.
   * @default - only kube-system and calico-system
   */
  readonly exceptNamespaces?: string[];
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

const PROPS = ['exceptNamespaces', 'dnsNamespaceLabels', 'dnsPodLabels', 'dnsPort', 'nodeLocalDns', 'nodeLocalDnsAddress', 'stage'];

/**
 * Allows DNS lookups — UDP and TCP, to the cluster DNS pods (and optionally
 * NodeLocal DNSCache) — from every pod of every namespace, including
 * namespaces created later, except the namespaces listed (and always
 * `kube-system` and `calico-system`). The companion of `ClusterDefaultDeny`.
 *
 * Like every allowance, it makes the pods it covers egress-isolated. Only
 * engines with cluster-scoped policies can express it.
 */
export class ClusterAllowDns extends Construct {
  /** The namespaces left alone (sorted; includes kube-system and calico-system). */
  public readonly exceptNamespaces: string[];

  constructor(scope: Construct, id: string, props: ClusterAllowDnsProps = {}) {
    super(scope, id);
    const problems: InputProblem[] = [];
    const p = checkPropsObject(props, PROPS, problems, false) as ClusterAllowDnsProps;
    this.exceptNamespaces = resolveExceptNamespaces(p.exceptNamespaces, problems);
    const { peers, ports } = dnsAllowance(p, problems);
    const stage = resolveStage(p.stage, problems);
    throwIfProblems(this.node.path, problems);

    const statement: ClusterAllowStatement = {
      kind: 'allow-cluster',
      origin: PolicyCompiler.origin(this, 'ClusterAllowDns'),
      stage,
      exceptNamespaces: Object.freeze([...this.exceptNamespaces]),
      direction: 'egress',
      peers,
      ports,
      purpose: 'dns',
    };
    PolicyCompiler.of(this).register(this, [statement]);
  }
}
