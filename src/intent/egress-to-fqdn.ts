import { Construct } from 'constructs';
import { checkNonEmpty } from './allow-from';
import { PolicyStage } from './policy-stage';
import { Port } from './port';
import { InputProblem, throwIfProblems } from '../validation/input-error';
import { resolveNamespace, resolveStage } from './private/intent-scope';
import { checkFlag, checkPropsObject } from './private/props';
import { portsProp, workloadProp } from './private/typed-props';
import { Workload } from './workload';
import { PolicyCompiler } from '../engine/compiler';
import { AllowStatement, FqdnPeerModel, portToString } from '../model';

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Properties of `EgressToFqdn`. */
export interface EgressToFqdnProps {
  /** The pods that open the connections. */
  readonly workload: Workload;
  /**
   * DNS names outside the cluster: exact names (`api.example.com`) or
   * patterns whose leftmost label is `*`, standing for exactly one label
   * (`*.example.com` matches `a.example.com`, not `example.com` or
   * `a.b.example.com`). Lower case, without a trailing dot. Never empty.
   */
  readonly names: string[];
  /**
   * Destination ports. Never empty: say `[Port.allTcp()]` to allow every TCP
   * port. Named ports are rejected: no pod outside the cluster declares them.
   */
  readonly ports: Port[];
  /**
   * The namespace of the workload when it does not name one.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Acknowledge that the workload's egress is isolated by this policy without
   * an `AllowDns` covering it. Engines that resolve names through their own
   * DNS proxy (Cilium) still need an `AllowDns` for these pods.
   * @default false
   */
  readonly acknowledgeDnsBlocked?: boolean;
  /**
   * Enforce the policy, or only observe it (engines that cannot observe fail synthesis).
   * @default PolicyStage.ENFORCE
   */
  readonly stage?: PolicyStage;
}

const PROPS = ['workload', 'names', 'ports', 'namespace', 'acknowledgeDnsBlocked', 'stage'];

/**
 * Allows a workload to open connections to DNS names outside the cluster
 * (exact names and `*.` patterns) on ports. The workload becomes
 * egress-isolated.
 *
 * Only engines that learn the addresses behind a name from the pods' own DNS
 * lookups can enforce this (Cilium's DNS proxy, Calico Enterprise); the
 * others fail synthesis. With Cilium, the pods' DNS allowance (`AllowDns`)
 * is rendered through the DNS proxy, and synthesis fails without one.
 */
export class EgressToFqdn extends Construct {
  /** The namespace of the workload. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: EgressToFqdnProps) {
    super(scope, id);
    const problems: InputProblem[] = [];
    const given = checkPropsObject(props, PROPS, problems, true) as EgressToFqdnProps;
    const workload = workloadProp('workload', given.workload, problems);
    this.namespace = resolveNamespace(this, workload?._namespace ?? given.namespace, problems);
    problems.push(...checkNonEmpty('names', given.names, 'a list with at least one DNS name', 'pass e.g. ["api.example.com", "*.example.org"]'));
    (Array.isArray(given.names) ? given.names : []).forEach(n => problems.push(...checkFqdnPattern(n)));
    const portList = portsProp('ports', given.ports, problems, 'say [Port.tcp(443)], or [Port.allTcp()] to allow every TCP port');
    for (const p of portList) {
      if (p._model.protocol !== 'ANY' && typeof p._model.port === 'string') {
        problems.push({ what: 'port', value: p.toString(), expected: 'a port number, range or every port of a protocol', fix: 'use the number the external service listens on, e.g. Port.tcp(443): named ports are declared by pods, and no pod outside the cluster declares them' });
      }
    }
    const acknowledged = checkFlag(given, 'acknowledgeDnsBlocked', problems);
    const stage = resolveStage(given.stage, problems);
    throwIfProblems(this.node.path, problems);

    const ports = [...new Map(portList.map(p => [portToString(p._model), p._model])).values()];
    const peers: FqdnPeerModel[] = [...new Set(given.names)].sort().map(pattern => ({ kind: 'fqdn', pattern }));
    const statement: AllowStatement = {
      kind: 'allow',
      origin: PolicyCompiler.origin(this, 'EgressToFqdn'),
      stage,
      direction: 'egress',
      subject: workload!._toPodSet(this.namespace),
      peers,
      ports,
      isolating: true,
      purpose: 'fqdn',
    };
    PolicyCompiler.of(this).register(this, [statement], { dnsBlockedAcknowledged: acknowledged });
  }
}

/**
 * Validates an exact DNS name or a `*.`-pattern: lower-case RFC 1123 labels,
 * at most 253 characters, at least two labels after any `*`, `*` only as the
 * whole leftmost label, and not a cluster-internal name.
 */
export function checkFqdnPattern(name: unknown): InputProblem[] {
  const bad = (expected: string, fix: string): InputProblem[] => [{ what: 'DNS name in names', value: name, expected, fix }];
  if (typeof name !== 'string' || name.length === 0) return bad('a DNS name such as "api.example.com"', 'pass the name the pods look up');
  if (name.endsWith('.')) return bad('a name without the trailing dot', `write ${JSON.stringify(name.replace(/\.+$/, ''))}`);
  if (name !== name.toLowerCase()) return bad('a lower-case name (DNS names are case-insensitive)', `write ${JSON.stringify(name.toLowerCase())}`);
  if (name.length > 253) return bad('at most 253 characters', 'use the real name of the service');
  const labels = name.split('.');
  const wildcard = labels[0] === '*';
  if (labels.slice(wildcard ? 1 : 0).some(l => l.includes('*'))) {
    return bad('"*" only as the whole leftmost label, e.g. "*.example.com"', 'list the names, or use one "*." pattern for one level of subdomains: infix and multi-level wildcards are not portable');
  }
  const fixed = wildcard ? labels.slice(1) : labels;
  const badLabel = fixed.find(l => !LABEL.test(l));
  if (badLabel !== undefined) {
    return bad('labels of 1-63 characters: a-z, 0-9 and "-", not starting or ending with "-"', `check the label ${JSON.stringify(badLabel)}`);
  }
  if (fixed.length < 2) {
    return bad(wildcard ? 'a pattern with at least two labels after "*.", e.g. "*.example.com"' : 'a fully qualified name with at least two labels', wildcard ? 'a pattern for a whole top-level domain allows nearly everything: name the domain' : 'write the fully qualified name, e.g. "api.example.com": search-domain expansion makes short names mean different things');
  }
  if (fixed.slice(-2).join('.') === 'cluster.local' || fixed[fixed.length - 1] === 'local') {
    return bad('a name outside the cluster', 'use AllowFrom for in-cluster services: DNS-name rules never apply to in-cluster addresses');
  }
  return [];
}
