// Reads cdk8s-plus objects (any major line from 28 on) structurally: the library imports no cdk8s-plus
// package, so every value is checked here and a wrong one becomes an InputProblem naming the object it came
// from, never a TypeError.
import { fromKubeSelector, KubeLabelSelector } from './kube-selector';
import { EVERYTHING, LabelSelectorModel, NamespaceScopeModel } from '../../model';
import { InputProblem } from '../../validation/input-error';
import { checkNamespaceName } from '../../validation/validators';

/** What a cdk8s-plus pod selector says about its pods. */
export interface PlusPodSelection {
  /** The object, for messages: `Deployment shop/web`, `Pods shop/prometheus`. */
  readonly origin: string;
  /** Its pods' labels and expressions. */
  readonly pods: LabelSelectorModel;
  /** Which namespaces its pods may be in, when it says so (`Pods.select(..., { namespaces })`). */
  readonly namespaces?: unknown;
  /** Its own namespace (`metadata.namespace`), when it has one. */
  readonly ownNamespace?: string;
  /** The service account its pods run as, when it names one (workloads and pods). */
  readonly serviceAccount?: string;
}

const EXPECTED_POD_SELECTOR = 'a cdk8s-plus workload, pod or pod selector (Deployment, StatefulSet, Pod, Pods.select(), ... '
  + 'of cdk8s-plus-28 or later)';

function isObject(x: unknown): x is Record<string, any> {
  return (typeof x === 'object' || typeof x === 'function') && x !== null;
}

/** `Deployment shop/web` for a cdk8s-plus resource, `Pods shop/prom` for another construct. */
export function describePlusObject(x: unknown): string {
  if (!isObject(x)) return String(x);
  let kind: unknown;
  try {
    kind = x.kind;
  } catch {
    kind = undefined;
  }
  const name = typeof kind === 'string' && kind ? kind : x.constructor?.name ?? 'object';
  const path = isObject(x.node) && typeof x.node.path === 'string' ? x.node.path : undefined;
  return path ? `${name} ${path}` : name;
}

/** The Kubernetes form of a cdk8s-plus LabelSelector, or a problem. */
function kubeSelectorOf(selector: unknown, what: string, problems: InputProblem[]): KubeLabelSelector | undefined {
  if (!isObject(selector) || typeof selector._toKube !== 'function') {
    problems.push({
      what,
      value: describePlusObject(selector),
      expected: 'a cdk8s-plus LabelSelector (cdk8s-plus-28 or later), which renders its labels and expressions',
      fix: 'pass the cdk8s-plus object itself; for other selectors use Workload.select() or Peer.pods() with the labels',
    });
    return undefined;
  }
  const kube = selector._toKube();
  return isObject(kube) ? kube as KubeLabelSelector : {};
}

/**
 * Reads a cdk8s-plus pod selector. `factory` names the caller (`Workload.fromPodSelector()`) for messages.
 * On a problem the selection is unusable (its pods are a placeholder) and the problem says why.
 */
export function readPodSelector(selector: unknown, factory: string, problems: InputProblem[]): PlusPodSelection {
  const origin = describePlusObject(selector);
  if (!isObject(selector) || typeof selector.toPodSelectorConfig !== 'function') {
    problems.push({ what: `selector of ${factory}`, value: origin, expected: EXPECTED_POD_SELECTOR, fix: 'pass the cdk8s-plus object itself, or use Workload.select() with the pods\' labels' });
    return { origin, pods: EVERYTHING };
  }
  const config = selector.toPodSelectorConfig();
  const kube = kubeSelectorOf(isObject(config) ? config.labelSelector : undefined, `label selector of ${origin}`, problems);
  const pods = fromKubeSelector(kube, `the label selector of ${origin}`, problems);

  let ownNamespace: string | undefined;
  const metadata = selector.metadata;
  if (isObject(metadata) && metadata.namespace !== undefined) {
    if (typeof metadata.namespace === 'string') {
      ownNamespace = metadata.namespace;
      problems.push(...checkNamespaceName(`metadata.namespace of ${origin}`, ownNamespace));
    } else {
      problems.push({ what: `metadata.namespace of ${origin}`, value: metadata.namespace, expected: 'a namespace name', fix: 'give the object a namespace name, or leave it to the chart' });
    }
  }

  let serviceAccount: string | undefined;
  if (isObject(selector.serviceAccount)) {
    const name = selector.serviceAccount.name;
    if (typeof name === 'string' && name) serviceAccount = name;
    else problems.push({ what: `serviceAccount of ${origin}`, value: name, expected: 'a service account with a name', fix: 'give the service account a name' });
  }
  return { origin, pods, namespaces: isObject(config) ? config.namespaces : undefined, ownNamespace, serviceAccount };
}

/**
 * Reads a cdk8s-plus NamespaceSelectorConfig (from a pod selector's `namespaces`, or a namespace selector's
 * `toNamespaceSelectorConfig()`); undefined when there is none. `what` names it for messages.
 */
export function readNamespaceScope(config: unknown, what: string, problems: InputProblem[]): NamespaceScopeModel | undefined {
  if (config === undefined || config === null) return undefined;
  if (!isObject(config)) {
    problems.push({ what: `namespaces of ${what}`, value: config, expected: 'a cdk8s-plus namespace selection (names and/or a label selector)', fix: 'pass the cdk8s-plus object itself' });
    return undefined;
  }
  const names: unknown = config.names ?? [];
  if (!Array.isArray(names) || names.some(n => typeof n !== 'string')) {
    problems.push({ what: `namespace names of ${what}`, value: names, expected: 'a list of namespace names', fix: 'pass the cdk8s-plus object itself' });
    return undefined;
  }
  const labels = config.labelSelector;
  const hasLabels = isObject(labels) && typeof labels.isEmpty === 'function' ? !labels.isEmpty() : labels !== undefined;
  if (names.length > 1 || (names.length === 1 && hasLabels)) {
    problems.push({ what: `namespaces of ${what}`, value: names, expected: 'one namespace name, or a namespace label selector', fix: 'create one peer per namespace' });
    return undefined;
  }
  if (names.length === 1) {
    problems.push(...checkNamespaceName(`namespace of ${what}`, names[0]));
    return { kind: 'name', name: names[0] };
  }
  if (labels !== undefined) {
    const selector = fromKubeSelector(kubeSelectorOf(labels, `namespace label selector of ${what}`, problems), what, problems);
    return Object.keys(selector.matchLabels).length === 0 && selector.matchExpressions.length === 0 ? { kind: 'all' } : { kind: 'labels', selector };
  }
  return { kind: 'all' };
}

/** Reads a cdk8s-plus namespace selector (`Namespace`, `Namespaces.select()`). */
export function readNamespaceSelector(selector: unknown, factory: string, problems: InputProblem[]): { origin: string; scope?: NamespaceScopeModel } {
  const origin = describePlusObject(selector);
  if (!isObject(selector) || typeof selector.toNamespaceSelectorConfig !== 'function') {
    problems.push({
      what: `selector of ${factory}`,
      value: origin,
      expected: 'a cdk8s-plus namespace or namespace selector (Namespace, Namespaces.select(), ... of cdk8s-plus-28 or later)',
      fix: 'pass the cdk8s-plus object itself, or use Peer.namespace() / Peer.namespacesWithLabels()',
    });
    return { origin };
  }
  return { origin, scope: readNamespaceScope(selector.toNamespaceSelectorConfig(), `cdk8s-plus namespace selector ${origin}`, problems) };
}
