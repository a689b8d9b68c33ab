import { LabelExpression } from './label-expression';
import { EVERYTHING, labelSelector, NamespaceScopeModel, PeerModel, peerToString, serviceAccountFields } from '../model';
import { INamespaceSelectorSource, IPodSelectorSource } from './pod-selector-source';
import { Workload } from './workload';
import { InputProblem } from '../validation/input-error';
import { readNamespaceScope, readNamespaceSelector, readPodSelector } from './private/plus-selector';
import { checkInstances, checkPropsObject } from './private/props';
import { checkLabels, checkNamespaceName, checkSubdomainName, cidrStrictlyInside, parseCidr, ParsedCidr } from '../validation/validators';

/** Options for `Peer.fromPodSelector()`. */
export interface PeerFromPodSelectorOptions {
  /**
   * Also require the service account the workload's pods run as (its `serviceAccount`). Off unless set:
   * the peer is the pods the selector's labels match, and an engine without identity (the Kubernetes
   * engine) cannot select by service account. Fails for a selector that names no service account.
   * @default false - the workload's service account is not used
   */
  readonly useWorkloadServiceAccount?: boolean;
}

/** Options for `Peer.pods()`: pods AND namespaces, as one peer. */
export interface PodsPeerOptions {
  /**
   * Labels the pods must carry.
   * @default - any labels (combine with a namespace and/or service account)
   */
  readonly podLabels?: { [key: string]: string };
  /**
   * Set-based requirements on the pods' labels.
   * @default - none
   */
  readonly podExpressions?: LabelExpression[];
  /**
   * The one namespace the pods must be in (by name).
   * Mutually exclusive with `namespaceLabels`/`namespaceExpressions`/`allNamespaces`.
   * @default - the policy's own namespace, unless namespace labels or `allNamespaces` are given
   */
  readonly namespace?: string;
  /**
   * Labels the pods' namespace must carry.
   * @default - no namespace label requirement
   */
  readonly namespaceLabels?: { [key: string]: string };
  /**
   * Set-based requirements on the pods' namespace labels.
   * @default - none
   */
  readonly namespaceExpressions?: LabelExpression[];
  /**
   * Match the pods in every namespace. Must be set explicitly: leaving out
   * every namespace option means the policy's own namespace.
   * @default false
   */
  readonly allNamespaces?: boolean;
  /**
   * The service account the pods run as (identity).
   * @default - any service account
   */
  readonly serviceAccount?: string;
  /**
   * Declare that exactly the pods these options select run as
   * `serviceAccount` (see `WorkloadOptions.exclusiveServiceAccount`).
   * @default false
   */
  readonly exclusiveServiceAccount?: boolean;
}

type Unresolved = (policyNamespace: string) => PeerModel;

/** The resolver of a peer with problems: never called, since its intent throws them first; fails closed if it were. */
const INVALID: Unresolved = () => {
  throw new Error('an invalid Peer cannot be resolved: the intent that receives it must throw its problems first');
};

const POD_OPTIONS = ['podLabels', 'podExpressions', 'namespace', 'namespaceLabels', 'namespaceExpressions', 'allNamespaces', 'serviceAccount', 'exclusiveServiceAccount'];

/**
 * The other end of an allowed connection: pods, namespaces, identities,
 * CIDR blocks, or — spelled out — anyone. Validated when the intent that
 * receives it is constructed, so that errors carry the construct path.
 *
 * There is no "empty peer list means everyone": use `Peer.anyone()`.
 */
export class Peer {
  /** The pods of a workload (in its namespace, or the policy's namespace when it has none). */
  public static workload(workload: Workload): Peer {
    if (!(workload instanceof Workload)) {
      return new Peer('workload', INVALID, [{
        what: 'workload of Peer.workload()',
        value: workload,
        expected: 'a Workload, e.g. Workload.select({ app: "frontend" })',
        fix: typeof workload === 'string' ? `a string is not a Workload: write Peer.workload(Workload.select({ app: ${JSON.stringify(workload)} }))` : 'create it with Workload.select() or Workload.allPods()',
      }]);
    }
    return new Peer('workload', ns => {
      const set = workload._toPodSet(ns);
      return { kind: 'pods', namespaces: { kind: 'name', name: set.namespace }, pods: set.pods, ...serviceAccountFields(set) };
    }, [...workload._problems]);
  }

  /** Every pod of the namespace with this name. */
  public static namespace(name: string): Peer {
    return new Peer('namespace', () => ({ kind: 'pods', namespaces: { kind: 'name', name }, pods: EVERYTHING }), checkNamespaceName('namespace of Peer.namespace()', name));
  }

  /** Every pod of every namespace whose labels match. */
  public static namespacesWithLabels(labels: { [key: string]: string }, expressions: LabelExpression[] = []): Peer {
    const problems = [...checkLabels('Peer.namespacesWithLabels()', labels)];
    expressions = checkInstances('expressions of Peer.namespacesWithLabels()', expressions, LabelExpression, 'LabelExpression', 'LabelExpression.exists("team")', problems);
    expressions.forEach(e => problems.push(...e._problems));
    if (problems.length) return new Peer('namespaces', INVALID, problems);
    if (Object.keys(labels).length === 0 && expressions.length === 0) {
      problems.push({ what: 'labels of Peer.namespacesWithLabels()', value: labels, expected: 'at least one label or expression', fix: 'use Peer.pods({ allNamespaces: true }) to mean every namespace, so that it is spelled out' });
    }
    const selector = labelSelector(labels, expressions.map(e => e._model));
    return new Peer('namespaces', () => ({ kind: 'pods', namespaces: { kind: 'labels', selector }, pods: EVERYTHING }), problems);
  }

  /**
   * Pods matching the pod criteria INSIDE namespaces matching the namespace
   * criteria: one peer, AND semantics (Kubernetes: namespaceSelector and
   * podSelector in the same `from` entry).
   */
  public static pods(options: PodsPeerOptions): Peer {
    const problems: InputProblem[] = [];
    checkPropsObject(options, POD_OPTIONS, problems, true);
    if (problems.length) {
      return new Peer('pods', INVALID, problems.map(p => ({ ...p, what: p.what === 'props' ? 'options of Peer.pods()' : `${p.what.replace(/^prop /, 'option ')} of Peer.pods()` })));
    }
    problems.push(...checkLabels('podLabels of Peer.pods()', options.podLabels ?? {}));
    const expressions = (what: string, v: unknown) => (v === undefined ? []
      : checkInstances(`${what} of Peer.pods()`, v, LabelExpression, 'LabelExpression', 'LabelExpression.isIn("tier", ["web"])', problems));
    const podExpressions = expressions('podExpressions', options.podExpressions);
    const namespaceExpressions = expressions('namespaceExpressions', options.namespaceExpressions);
    podExpressions.forEach(e => problems.push(...e._problems));
    namespaceExpressions.forEach(e => problems.push(...e._problems));
    problems.push(...checkLabels('namespaceLabels of Peer.pods()', options.namespaceLabels ?? {}));
    for (const flag of ['allNamespaces', 'exclusiveServiceAccount'] as const) {
      if (options[flag] !== undefined && typeof options[flag] !== 'boolean') {
        problems.push({ what: `${flag} of Peer.pods()`, value: options[flag], expected: 'true or false', fix: `write ${flag}: true, or leave it out` });
      }
    }
    if (options.exclusiveServiceAccount === true && options.serviceAccount === undefined) {
      problems.push({ what: 'exclusiveServiceAccount of Peer.pods()', value: true, expected: 'a serviceAccount alongside it', fix: 'name the account the pods run as' });
    }
    if (problems.length) return new Peer('pods', INVALID, problems);
    if (options.namespace !== undefined) problems.push(...checkNamespaceName('namespace of Peer.pods()', options.namespace));
    if (options.serviceAccount !== undefined) problems.push(...checkSubdomainName('serviceAccount of Peer.pods()', options.serviceAccount));
    const byLabels = Object.keys(options.namespaceLabels ?? {}).length > 0 || namespaceExpressions.length > 0;
    const scopes = [options.namespace !== undefined, byLabels, options.allNamespaces === true].filter(Boolean).length;
    if (scopes > 1) {
      problems.push({ what: 'namespace options of Peer.pods()', value: { namespace: options.namespace, namespaceLabels: options.namespaceLabels, allNamespaces: options.allNamespaces }, expected: 'at most one of namespace, namespaceLabels/namespaceExpressions, allNamespaces', fix: 'choose one way to say which namespaces the pods are in' });
    }
    const pods = labelSelector(options.podLabels ?? {}, podExpressions.map(e => e._model));
    if (scopes === 0 && options.serviceAccount === undefined && Object.keys(pods.matchLabels).length === 0 && pods.matchExpressions.length === 0) {
      problems.push({ what: 'options of Peer.pods()', value: options, expected: 'at least one pod, namespace or service account criterion', fix: 'say which pods; use Peer.namespace(name) for a whole namespace or Peer.anyone() for everyone' });
    }
    const nsSelector = labelSelector(options.namespaceLabels ?? {}, namespaceExpressions.map(e => e._model));
    return new Peer('pods', policyNs => {
      const namespaces: NamespaceScopeModel = options.allNamespaces ? { kind: 'all' }
        : byLabels ? { kind: 'labels', selector: nsSelector }
          : { kind: 'name', name: options.namespace ?? policyNs };
      return {
        kind: 'pods',
        namespaces,
        pods,
        ...(options.serviceAccount ? { serviceAccount: options.serviceAccount } : {}),
        ...(options.serviceAccount && options.exclusiveServiceAccount === true ? { exclusiveServiceAccount: true } : {}),
      };
    }, problems);
  }

  /**
   * The pods running as a service account (an identity).
   * @param name the service account's name
   * @param namespace the service account's namespace; default: the policy's namespace
   */
  public static serviceAccount(name: string, namespace?: string): Peer {
    const problems = [...checkSubdomainName('name of Peer.serviceAccount()', name)];
    if (namespace !== undefined) problems.push(...checkNamespaceName('namespace of Peer.serviceAccount()', namespace));
    return new Peer('serviceAccount', ns => ({ kind: 'pods', namespaces: { kind: 'name', name: namespace ?? ns }, pods: EVERYTHING, serviceAccount: name }), problems);
  }

  /**
   * Addresses in a CIDR block (IPv4 or IPv6), minus the `exceptCidrs` blocks,
   * which must lie strictly inside it and be of the same IP family.
   * Meant for addresses outside the cluster: whether a CIDR also matches pod
   * IPs differs between engines.
   */
  public static cidr(cidr: string, exceptCidrs: string[] = []): Peer {
    const problems: InputProblem[] = [];
    const { canonical, excepts } = checkCidrBlock('Peer.cidr()', cidr, exceptCidrs, problems, undefined);
    return new Peer('cidr', () => ({ kind: 'cidr', cidr: canonical, except: excepts }), problems);
  }

  /** An IPv4 CIDR block minus excepts. */
  public static ipv4(cidr: string, exceptCidrs: string[] = []): Peer {
    const problems: InputProblem[] = [];
    const { canonical, excepts } = checkCidrBlock('Peer.ipv4()', cidr, exceptCidrs, problems, 'ipv4');
    return new Peer('cidr', () => ({ kind: 'cidr', cidr: canonical, except: excepts }), problems);
  }

  /** An IPv6 CIDR block minus excepts. */
  public static ipv6(cidr: string, exceptCidrs: string[] = []): Peer {
    const problems: InputProblem[] = [];
    const { canonical, excepts } = checkCidrBlock('Peer.ipv6()', cidr, exceptCidrs, problems, 'ipv6');
    return new Peer('cidr', () => ({ kind: 'cidr', cidr: canonical, except: excepts }), problems);
  }

  /**
   * Everyone: every pod of every namespace and every address outside the
   * cluster. Allow-all must be spelled out; nothing else means it.
   */
  public static anyone(): Peer {
    return new Peer('anyone', () => ({ kind: 'anyone' }), []);
  }

  /**
   * The Kubernetes API server. Cilium selects it by identity (the
   * `kube-apiserver` entity); engines without that identity need its
   * endpoint addresses, given here as CIDRs (e.g. from
   * `kubectl get endpoints kubernetes -n default`), or synthesis fails.
   * @param cidrs the API server endpoints' addresses as CIDR blocks
   */
  public static kubeApiServer(cidrs: string[] = []): Peer {
    const problems: InputProblem[] = [];
    const canon: string[] = [];
    if (!Array.isArray(cidrs)) {
      problems.push({ what: 'cidrs of Peer.kubeApiServer()', value: cidrs, expected: 'a list of CIDR blocks', fix: 'pass e.g. ["172.20.0.1/32"]' });
    } else {
      cidrs.forEach(c => canon.push(checkCidrBlock('Peer.kubeApiServer()', c, [], problems, undefined).canonical));
    }
    return new Peer('kubeApiServer', () => ({ kind: 'kube-apiserver', cidrs: [...new Set(canon)].sort() }), problems);
  }

  /**
   * The pods of a cdk8s-plus pod selector (workload, Pod, `Pods.select()`, `Pods.all()`, of any cdk8s-plus
   * major line from 28 on): its labels and namespaces; its service account only with
   * `useWorkloadServiceAccount`.
   */
  public static fromPodSelector(selector: IPodSelectorSource, options: PeerFromPodSelectorOptions = {}): Peer {
    const factory = 'Peer.fromPodSelector()';
    const problems: InputProblem[] = [];
    const read = readPodSelector(selector, factory, problems);
    const scope = readNamespaceScope(read.namespaces, `the cdk8s-plus selector ${read.origin}`, problems);
    const use = typeof options === 'object' && options !== null ? options.useWorkloadServiceAccount : options;
    let serviceAccount: { serviceAccount: string; serviceAccountOrigin: string } | undefined;
    if (use !== undefined && typeof use !== 'boolean') {
      problems.push({ what: `useWorkloadServiceAccount of ${factory}`, value: use, expected: 'true or false', fix: 'pass { useWorkloadServiceAccount: true }, or nothing' });
    } else if (use && read.serviceAccount === undefined) {
      problems.push({
        what: `service account of ${read.origin} (useWorkloadServiceAccount)`,
        value: undefined,
        expected: 'a workload that names the service account its pods run as',
        fix: `give ${read.origin} a serviceAccount, use Peer.serviceAccount(), or drop useWorkloadServiceAccount`,
      });
    } else if (use && read.serviceAccount !== undefined) {
      serviceAccount = { serviceAccount: read.serviceAccount, serviceAccountOrigin: `the serviceAccount of ${read.origin} (taken by useWorkloadServiceAccount)` };
    }
    if (problems.length) return new Peer('pods', INVALID, problems);
    return new Peer('pods', policyNs => ({
      kind: 'pods',
      namespaces: scope ?? { kind: 'name', name: read.ownNamespace ?? policyNs },
      pods: read.pods,
      ...(serviceAccount ?? {}),
    }), problems);
  }

  /**
   * Every pod of the namespaces of a cdk8s-plus namespace selector (`Namespace`, `Namespaces.select()`, of
   * any cdk8s-plus major line from 28 on).
   */
  public static fromNamespaceSelector(selector: INamespaceSelectorSource): Peer {
    const problems: InputProblem[] = [];
    const { scope } = readNamespaceSelector(selector, 'Peer.fromNamespaceSelector()', problems);
    if (problems.length) return new Peer('namespaces', INVALID, problems);
    return new Peer('namespaces', () => ({ kind: 'pods', namespaces: scope ?? { kind: 'all' }, pods: EVERYTHING }), problems);
  }

  /** @internal */
  public readonly _problems: readonly InputProblem[];
  private readonly resolver: Unresolved;
  private readonly label: string;

  private constructor(label: string, resolver: Unresolved, problems: InputProblem[]) {
    this.label = label;
    this.resolver = resolver;
    this._problems = problems;
  }

  /** @internal */
  public _resolve(policyNamespace: string): PeerModel {
    return Object.freeze(this.resolver(policyNamespace));
  }

  /** Readable form, relative to the policy's namespace (`<policy namespace>` when unresolved). */
  public toString(): string {
    return this._problems.length ? `invalid ${this.label} peer` : peerToString(this._resolve('<policy namespace>'));
  }
}

/** Validates a CIDR block and its excepts; returns canonical forms. */
export function checkCidrBlock(factory: string, cidr: string, exceptCidrs: string[], problems: InputProblem[], family: 'ipv4' | 'ipv6' | undefined): { canonical: string; excepts: string[] } {
  const outer = parseCidr(`CIDR of ${factory}`, cidr, problems);
  if (outer && family && outer.family !== family) {
    problems.push({ what: `CIDR of ${factory}`, value: cidr, expected: `an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} block`, fix: `use Peer.${outer.family}() or Peer.cidr()` });
  }
  const excepts: string[] = [];
  if (!Array.isArray(exceptCidrs)) {
    problems.push({ what: `exceptCidrs of ${factory}`, value: exceptCidrs, expected: 'a list of CIDR blocks', fix: 'pass an array, e.g. ["10.0.0.0/8"]' });
    return { canonical: outer?.canonical ?? String(cidr), excepts };
  }
  for (const e of exceptCidrs) {
    const inner: ParsedCidr | undefined = parseCidr(`exceptCidrs entry of ${factory}`, e, problems);
    if (!inner || !outer) continue;
    if (inner.family !== outer.family) {
      problems.push({ what: `exceptCidrs entry of ${factory}`, value: e, expected: `an ${outer.family === 'ipv4' ? 'IPv4' : 'IPv6'} block like ${cidr}: one block cannot mix IPv4 and IPv6`, fix: `use a separate Peer.${inner.family}() for the other family` });
    } else if (!cidrStrictlyInside(inner, outer)) {
      problems.push({ what: `exceptCidrs entry of ${factory}`, value: e, expected: `a block strictly inside ${outer.canonical}`, fix: `drop it, or widen the CIDR so that it contains ${e}` });
    } else {
      excepts.push(inner.canonical);
    }
  }
  return { canonical: outer?.canonical ?? String(cidr), excepts: [...new Set(excepts)].sort() };
}
