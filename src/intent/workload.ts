import { LabelExpression } from './label-expression';
import { labelSelector, LabelSelectorModel, PodSetModel, ServicePortModel } from '../model';
import { IPodSelectorSource } from './pod-selector-source';
import { InputProblem } from '../validation/input-error';
import { readNamespaceScope, readPodSelector } from './private/plus-selector';
import { checkInstances, checkPropsObject } from './private/props';
import { checkServiceName } from './private/service-name';
import { checkServicePorts, WorkloadServicePort } from './workload-service-port';
import { checkLabels, checkNamespaceName, checkSubdomainName } from '../validation/validators';

/** Options for `Workload.select()` and `Workload.allPods()`. */
export interface WorkloadOptions {
  /**
   * The namespace the pods run in.
   * @default - the namespace of the policy that uses the workload (the chart's namespace)
   */
  readonly namespace?: string;
  /**
   * The service account the pods run as. Engines with identity (Cilium,
   * Calico, Istio) use it to select the pods exactly; in the Kubernetes
   * dialect it is an approximation that needs an explicit opt-in.
   * @default - any service account
   */
  readonly serviceAccount?: string;
  /**
   * Declare that exactly the pods this workload selects run as
   * `serviceAccount`: no other pod uses the account, and these pods use no
   * other. Engines may then select the workload by whichever they can check —
   * Kubernetes NetworkPolicy by its labels, Istio a client by its identity
   * (principal) and protected pods by their labels — so that one app
   * synthesizes on every engine. This is an approximation you opt into: where
   * the declaration does not hold, the policies also match the pods that
   * have the labels but another account, or the account but not the labels.
   * @default false - the pods must match the labels AND run as the account;
   * engines that can check only one of them fail synthesis
   */
  readonly exclusiveServiceAccount?: boolean;
  /**
   * Set-based requirements the pods must also satisfy.
   * @default - none
   */
  readonly expressions?: LabelExpression[];
  /**
   * The name of the Kubernetes Service that fronts exactly these pods. It does
   * not change which pods are selected; engines that enforce HTTP rules in a
   * per-Service proxy need it: Istio ambient binds the workload's policies to
   * the Service's waypoint. Other engines ignore it.
   * @default - no Service is known (HTTP rules fail synthesis on Istio ambient)
   */
  readonly service?: string;
  /**
   * The TCP ports of `service`, as its `spec.ports` says: each Service port and the container port it
   * forwards to. Istio ambient needs them for a waypoint-bound Service: the waypoint matches its policies'
   * `ports` against the **Service** port a client connects to (its filter chains are keyed by Service port
   * and its RBAC filter sees the Service VIP and port: docs/dialects/istio.md "Ambient mode"), while the
   * intent's `ports` are container ports, so the engine renders each as the Service ports that forward to it.
   * Where a Service port equals its target port, write `{ port: 8080 }`. List every TCP port of the Service
   * truthfully: a port left out is denied at the waypoint, a wrong mapping denies or admits the wrong requests.
   * @default - not known: an allowance on numbered ports that the engine renders on a waypoint fails synthesis
   */
  readonly servicePorts?: WorkloadServicePort[];
}

/** Options for `Workload.fromPodSelector()`. */
export interface WorkloadFromPodSelectorOptions extends WorkloadOptions {
  /**
   * Also select the pods by the service account the workload's pods run as (its `serviceAccount`).
   *
   * Off unless set: the workload's pods are the pods its label selector matches, as for Kubernetes itself,
   * and an engine without identity (the Kubernetes engine) cannot select by service account. Set it on
   * engines with identity (Cilium, Calico, Istio) to require the identity as well; it fails for a workload
   * that names no service account. Not together with `serviceAccount`.
   * @default false - the workload's service account is not used
   */
  readonly useWorkloadServiceAccount?: boolean;
}

/** Where the values of a workload came from, when the user did not write them; for messages. */
interface WorkloadSources {
  readonly namespace?: string;
  readonly serviceAccount?: string;
}

/**
 * A set of pods in one namespace, selected by labels (and optionally a
 * service account): what a policy protects, or a peer it talks to.
 *
 * @example
 * const backend = Workload.select({ app: 'backend-api' }, { serviceAccount: 'backend' });
 */
export class Workload {
  /** Pods carrying all of these labels. */
  public static select(labels: { [key: string]: string }, options: WorkloadOptions = {}): Workload {
    const problems = checkLabels('Workload.select()', labels);
    const opts = checkOptions(options, 'Workload.select()', problems);
    if (problems.length === 0 && Object.keys(labels).length === 0 && (opts.expressions ?? []).length === 0) {
      problems.push({
        what: 'labels of Workload.select()',
        value: labels,
        expected: 'at least one label or expression',
        fix: 'use Workload.allPods() to mean every pod of the namespace, so that "all pods" is spelled out',
      });
    }
    return new Workload(problems.length ? {} : labels, opts, problems);
  }

  /** Every pod of the namespace. */
  public static allPods(options: WorkloadOptions = {}): Workload {
    const problems: InputProblem[] = [];
    const opts = checkOptions(options, 'Workload.allPods()', problems);
    return new Workload({}, opts, problems);
  }

  /**
   * The pods of a cdk8s-plus workload, pod or pod selector (Deployment, StatefulSet, Pod, Pods.select(),
   * ... of any cdk8s-plus major line from 28 on): its label selector and its namespace. Its service account
   * only with `useWorkloadServiceAccount`.
   *
   * @example
   * const web = Workload.fromPodSelector(deployment); // by the Deployment's selector labels
   * const api = Workload.fromPodSelector(apiDeployment, { useWorkloadServiceAccount: true }); // and its account
   */
  public static fromPodSelector(selector: IPodSelectorSource, options: WorkloadFromPodSelectorOptions = {}): Workload {
    const factory = 'Workload.fromPodSelector()';
    const problems: InputProblem[] = [];
    const read = readPodSelector(selector, factory, problems);
    const opts: WorkloadFromPodSelectorOptions = checkOptions(options, factory, problems, ['useWorkloadServiceAccount']);
    const { useWorkloadServiceAccount, ...workloadOptions } = opts;

    // Namespace: where the selector's pods are; a different one given by hand would select other pods.
    let selectorNamespace: { name: string; from: string } | undefined = read.ownNamespace !== undefined
      ? { name: read.ownNamespace, from: `metadata.namespace of ${read.origin}` } : undefined;
    const scope = readNamespaceScope(read.namespaces, `the cdk8s-plus selector ${read.origin}`, problems);
    if (scope && scope.kind !== 'name') {
      problems.push({
        what: `namespaces of the cdk8s-plus selector ${read.origin}`,
        value: scope.kind === 'all' ? 'every namespace' : 'a namespace label selector',
        expected: 'pods of exactly one namespace',
        fix: 'use Peer.fromPodSelector() for pods across namespaces, or select one namespace',
      });
    } else if (scope && !selectorNamespace) {
      selectorNamespace = { name: scope.name, from: `the namespaces of ${read.origin}` };
    }
    if (opts.namespace !== undefined && selectorNamespace && opts.namespace !== selectorNamespace.name) {
      problems.push({
        what: `namespace option of ${factory} for ${read.origin}`,
        value: opts.namespace,
        expected: `the namespace its pods are in, "${selectorNamespace.name}" (${selectorNamespace.from})`,
        fix: 'drop the namespace option: the pods are where the workload is',
      });
    }

    // Service account: only when asked for, and then it must exist.
    let serviceAccount = opts.serviceAccount;
    let serviceAccountFrom: string | undefined;
    if (useWorkloadServiceAccount !== undefined && typeof useWorkloadServiceAccount !== 'boolean') {
      problems.push({ what: `useWorkloadServiceAccount of ${factory}`, value: useWorkloadServiceAccount, expected: 'true or false', fix: 'pass a boolean' });
    } else if (useWorkloadServiceAccount && opts.serviceAccount !== undefined) {
      problems.push({
        what: `serviceAccount of ${factory} for ${read.origin}`,
        value: opts.serviceAccount,
        expected: 'either serviceAccount or useWorkloadServiceAccount, not both',
        fix: 'drop one: useWorkloadServiceAccount takes the account the workload runs as',
      });
    } else if (useWorkloadServiceAccount) {
      if (read.serviceAccount === undefined) {
        problems.push({
          what: `service account of ${read.origin} (useWorkloadServiceAccount)`,
          value: undefined,
          expected: 'a workload that names the service account its pods run as',
          fix: `give ${read.origin} a serviceAccount, name one with the serviceAccount option, or drop useWorkloadServiceAccount`,
        });
      } else {
        serviceAccount = read.serviceAccount;
        serviceAccountFrom = `the serviceAccount of ${read.origin} (taken by useWorkloadServiceAccount)`;
      }
    }

    const namespace = opts.namespace ?? selectorNamespace?.name;
    const sources: WorkloadSources = {
      ...(opts.namespace === undefined && selectorNamespace ? { namespace: selectorNamespace.from } : {}),
      ...(serviceAccountFrom ? { serviceAccount: serviceAccountFrom } : {}),
    };
    const labels = read.pods.matchLabels as Record<string, string>;
    return new Workload(labels, { ...workloadOptions, namespace, serviceAccount }, problems, read.pods, sources);
  }

  /** @internal */
  public readonly _namespace?: string;
  /** @internal */
  public readonly _serviceAccount?: string;
  /** @internal */
  public readonly _serviceAccountOrigin?: string;
  /** @internal */
  public readonly _service?: string;
  /** @internal */
  public readonly _servicePorts?: readonly ServicePortModel[];
  /** @internal */
  public readonly _exclusiveServiceAccount: boolean;
  /** @internal */
  public readonly _selector: LabelSelectorModel;
  /** @internal */
  public readonly _problems: readonly InputProblem[];

  private constructor(
    labels: Record<string, string>, options: WorkloadOptions, problems: InputProblem[], selector?: LabelSelectorModel, sources: WorkloadSources = {},
  ) {
    // Expressions that are not LabelExpressions were reported by checkOptions.
    const exprs = (Array.isArray(options.expressions) ? options.expressions : []).filter(e => e instanceof LabelExpression);
    const all = [...problems];
    exprs.forEach(e => all.push(...e._problems));
    const from = (origin: string | undefined) => (origin ? ` (${origin})` : '');
    if (options.namespace !== undefined) all.push(...checkNamespaceName(`namespace of the workload${from(sources.namespace)}`, options.namespace));
    if (options.serviceAccount !== undefined) {
      all.push(...checkSubdomainName(`service account of the workload${from(sources.serviceAccount)}`, options.serviceAccount));
    }
    if (options.service !== undefined) all.push(...checkServiceName('service of the workload', options.service));
    const servicePorts = checkServicePorts(options.servicePorts, options.service, all);
    if (options.exclusiveServiceAccount !== undefined && typeof options.exclusiveServiceAccount !== 'boolean') {
      all.push({ what: 'exclusiveServiceAccount of the workload', value: options.exclusiveServiceAccount, expected: 'true or false', fix: 'write exclusiveServiceAccount: true, or leave it out' });
    } else if (options.exclusiveServiceAccount === true && options.serviceAccount === undefined) {
      all.push({ what: 'exclusiveServiceAccount of the workload', value: true, expected: 'a serviceAccount alongside it', fix: 'name the account the pods run as: { serviceAccount: \'<account>\', exclusiveServiceAccount: true }' });
    }
    this._exclusiveServiceAccount = options.exclusiveServiceAccount === true && options.serviceAccount !== undefined;
    this._namespace = options.namespace;
    this._serviceAccount = options.serviceAccount;
    this._serviceAccountOrigin = sources.serviceAccount;
    this._service = options.service;
    this._servicePorts = servicePorts === undefined ? undefined : Object.freeze(servicePorts.map(x => Object.freeze({ ...x })));
    const base = selector ?? labelSelector(labels, []);
    this._selector = labelSelector({ ...base.matchLabels }, [...base.matchExpressions, ...exprs.map(e => e._model)]);
    this._problems = all;
  }

  /** @internal */
  public _toPodSet(defaultNamespace: string): PodSetModel {
    return Object.freeze({
      namespace: this._namespace ?? defaultNamespace,
      pods: this._selector,
      ...(this._serviceAccount ? { serviceAccount: this._serviceAccount } : {}),
      ...(this._serviceAccount && this._serviceAccountOrigin ? { serviceAccountOrigin: this._serviceAccountOrigin } : {}),
      ...(this._serviceAccount && this._exclusiveServiceAccount ? { exclusiveServiceAccount: true } : {}),
      ...(this._service ? { service: this._service } : {}),
      ...(this._service && this._servicePorts ? { servicePorts: this._servicePorts } : {}),
    });
  }
}

const OPTIONS = ['namespace', 'serviceAccount', 'exclusiveServiceAccount', 'expressions', 'service', 'servicePorts'];

/** The options of a Workload factory as an untyped caller may pass them: problems for anything but a WorkloadOptions. */
function checkOptions(options: unknown, factory: string, problems: InputProblem[], more: readonly string[] = []): WorkloadOptions {
  const found: InputProblem[] = [];
  const o = checkPropsObject(options, [...OPTIONS, ...more], found, false) as WorkloadOptions;
  if (o.expressions !== undefined) {
    checkInstances(`expressions of ${factory}`, o.expressions, LabelExpression, 'LabelExpression', 'LabelExpression.isIn("tier", ["web"])', found);
  }
  problems.push(...found.map(p => (p.what === 'props' ? { ...p, what: `options of ${factory}` } : p.what.startsWith('prop ') ? { ...p, what: `option ${p.what.slice(5)} of ${factory}` } : p)));
  return o;
}
