import { Construct } from 'constructs';
import { PolicyStage } from './policy-stage';
import { checkPriority, MAX_PRIORITY } from './private/cluster-rule';
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
   * Where the DNS allowance stands among the cluster-wide rules (0-1000,
   * lower numbers match first). With the default, every `ClusterDeny` that
   * also matches DNS traffic wins over it; give it a lower number than such a
   * guardrail to let DNS through it.
   * @default 1000 - after every other cluster-wide rule
   */
  readonly priority?: number;
  /**
   * Enforce the policy, or only observe it (engines that cannot observe fail synthesis).
   * @default PolicyStage.ENFORCE
   */
  readonly stage?: PolicyStage;
}

const PROPS = ['exceptNamespaces', 'dnsNamespaceLabels', 'dnsPodLabels', 'dnsPort', 'nodeLocalDns', 'nodeLocalDnsAddress', 'priority', 'stage'];

/**
 * Allows DNS lookups — UDP and TCP, to the cluster DNS pods (and optionally
 * NodeLocal DNSCache) — from every pod of every namespace, including
 * namespaces created later, except the namespaces listed (and always
 * `kube-system` and `calico-system`). The companion of `ClusterDefaultDeny`.
 *
 * The allowance is a cluster-wide admin rule at `priority`: it holds against
 * every namespace's own egress default deny. Like every allowance, it also
 * makes the pods it covers egress-isolated. Only engines with cluster-scoped
 * policies can express it (the Kubernetes engine through ClusterNetworkPolicy:
 * an Admin-tier `Accept` and a Baseline-tier `Deny`).
 */
export class ClusterAllowDns extends Construct {
  /** The namespaces left alone (sorted; includes kube-system and calico-system). */
  public readonly exceptNamespaces: string[];
  /** The admin priority of the DNS allowance. */
  public readonly priority: number;

  constructor(scope: Construct, id: string, props: ClusterAllowDnsProps = {}) {
    super(scope, id);
    const problems: InputProblem[] = [];
    const p = checkPropsObject(props, PROPS, problems, false) as ClusterAllowDnsProps;
    this.exceptNamespaces = resolveExceptNamespaces(p.exceptNamespaces, problems);
    const { peers, ports } = dnsAllowance(p, problems);
    const stage = resolveStage(p.stage, problems);
    const priority = p.priority ?? MAX_PRIORITY;
    problems.push(...checkPriority('priority', priority));
    throwIfProblems(this.node.path, problems);
    this.priority = priority;

    const statement: ClusterAllowStatement = {
      kind: 'allow-cluster',
      origin: PolicyCompiler.origin(this, 'ClusterAllowDns'),
      stage,
      exceptNamespaces: Object.freeze([...this.exceptNamespaces]),
      direction: 'egress',
      peers,
      ports,
      purpose: 'dns',
      priority,
    };
    PolicyCompiler.of(this).register(this, [statement]);
  }
}
