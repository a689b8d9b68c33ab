import { checkPodMesh, ClusterService, ClusterWaypoint, PodMesh, ServicePort, WAYPOINT_FOR_VALUES, WaypointFor } from './mesh-facts';
import { InputProblem } from '../../validation/input-error';
import {
  checkLabelKey, checkLabelValue, checkNamespaceName, checkPortName, checkSubdomainName,
} from '../../validation/validators';
import { IpAddress, IpFamily, tryParseIpAddress } from '../ip/ip-address';
import { AnalysisInputError } from '../ir/analysis-input-error';
import { Protocol, PROTOCOLS } from '../ir/analysis-policy';
import { Labels } from '../ir/selector';

/** The label the API server puts on every namespace (immutable, equal to its name). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** A namespace of the cluster model. `labels` always include `kubernetes.io/metadata.name`. */
export interface ClusterNamespace {
  readonly name: string;
  readonly labels: Labels;
  /** True if no Namespace object was given and the namespace was inferred from a pod. */
  readonly implicit: boolean;
}

/** A container port a named port can resolve to. */
export interface ContainerPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: Protocol;
}

/**
 * Pod phases (`status.phase`). A `Succeeded` or `Failed` pod has stopped: kubectl still prints its
 * last IP, which the network may have given to another pod, so the model keeps no IP for it.
 */
export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

/** The phases of pods whose containers have stopped for good. */
export const TERMINATED_PHASES: readonly PodPhase[] = ['Succeeded', 'Failed'];

/** A pod of the cluster model. */
export interface ClusterPod {
  readonly namespace: string;
  readonly name: string;
  /** Own keys only, no prototype: a key such as `constructor` is a label like any other. */
  readonly labels: Labels;
  readonly serviceAccountName: string;
  /**
   * Pod IPs (status.podIPs, or status.podIP), canonical, in the order given; empty for a pod without
   * an address (pending) and for a terminated one (`phase` Succeeded or Failed), which has no connectivity.
   */
  readonly ips: readonly IpAddress[];
  /** `status.phase`, when given. */
  readonly phase?: PodPhase;
  readonly ports: readonly ContainerPort[];
  /** Host-network pods share their node's network namespace; policies treat them as node traffic. */
  readonly hostNetwork: boolean;
  readonly nodeName?: string;
  /**
   * The pod's place in the Istio mesh, when the snapshot says it (`parseCluster` always decides it;
   * see `decideEnrollment`). undefined = not known: mesh policies are then evaluated as if a proxy
   * enforced them and mTLS is what the flow says (the analyzer's behaviour before mesh facts).
   */
  readonly mesh?: PodMesh;
  /**
   * The controller that owns the pod (`metadata.ownerReferences` with `controller: true`), when the
   * snapshot says: which pods are replicas of one workload (`recommend` groups them). Never part of
   * what a policy matches.
   */
  readonly owner?: PodOwner;
}

/** A pod's controller, as its `ownerReferences` entry names it. */
export interface PodOwner {
  /** `ReplicaSet`, `StatefulSet`, `DaemonSet`, `Job`, … */
  readonly kind: string;
  readonly name: string;
}

/** Input for `ClusterModel.create`: a namespace. */
export interface NamespaceInput {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** Input for `ClusterModel.create`: a pod. Omitted fields take the Kubernetes defaults. */
export interface PodInput {
  /** @default 'default' */
  readonly namespace?: string;
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** @default 'default' */
  readonly serviceAccountName?: string;
  /** @default - no IP (a pending pod); ipBlocks then never match it */
  readonly ips?: readonly string[];
  readonly ports?: readonly { readonly name?: string; readonly port: number; readonly protocol?: Protocol }[];
  /** @default false */
  readonly hostNetwork?: boolean;
  readonly nodeName?: string;
  /** @default - unknown; `Succeeded` and `Failed` drop the pod's IPs (see `ClusterPod.ips`) */
  readonly phase?: PodPhase;
  /** @default - unknown (see `ClusterPod.mesh`) */
  readonly mesh?: PodMesh;
  /** @default - not known (see `ClusterPod.owner`) */
  readonly owner?: PodOwner;
}

/** Input for `ClusterModel.create`: a Service. */
export interface ServiceInput {
  /** @default 'default' */
  readonly namespace?: string;
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** @default - no selector */
  readonly selector?: Readonly<Record<string, string>>;
  readonly ports?: readonly { readonly name?: string; readonly port: number; readonly protocol?: Protocol; readonly targetPort?: number | string }[];
}

/** Input for `ClusterModel.create`: a waypoint (a Gateway of class `istio-waypoint`). */
export interface WaypointInput {
  /** @default 'default' */
  readonly namespace?: string;
  readonly name: string;
  /** @default 'service' */
  readonly waypointFor?: WaypointFor;
  /** @default true */
  readonly ready?: boolean;
}

/** Input for `ClusterModel.create`. */
export interface ClusterInput {
  readonly namespaces?: readonly NamespaceInput[];
  readonly pods?: readonly PodInput[];
  readonly services?: readonly ServiceInput[];
  /**
   * Service accounts as `namespace/name`. When given, every pod's service account must be one of
   * them (the API server admits no pod whose account does not exist).
   * @default - not known: not checked
   */
  readonly serviceAccounts?: readonly string[];
  readonly waypoints?: readonly WaypointInput[];
}

/**
 * Namespaces and pods: the world the evaluator decides reachability in. Pods are kept sorted by
 * namespace then name, which fixes the order of every matrix and report.
 */
export class ClusterModel {
  /**
   * Builds a cluster model, validating every field as the API server would (names, label keys and
   * values, ports). A pod whose namespace is not listed gets an implicit namespace carrying only the
   * `kubernetes.io/metadata.name` label (see `implicitNamespaces`).
   * Throws an `AnalysisInputError` naming the pod or namespace and the field on invalid input.
   */
  public static create(input: ClusterInput): ClusterModel {
    const namespaces = new Map<string, ClusterNamespace>();
    for (const ns of input.namespaces ?? []) {
      rejectProblems(`Namespace ${String(ns.name)}`, [...checkNamespaceName('name', ns.name), ...labelProblems(ns.labels)]);
      if (namespaces.has(ns.name)) {
        throw new AnalysisInputError(`Namespace ${ns.name} is listed twice; every namespace must appear once`);
      }
      namespaces.set(ns.name, { name: ns.name, labels: namespaceLabels(ns.name, ns.labels), implicit: false });
    }
    const pods: ClusterPod[] = [];
    const seen = new Set<string>();
    for (const podInput of input.pods ?? []) {
      const pod = buildPod(podInput);
      const id = `${pod.namespace}/${pod.name}`;
      if (seen.has(id)) {
        throw new AnalysisInputError(`Pod ${id} is listed twice; every pod must appear once`);
      }
      seen.add(id);
      if (!namespaces.has(pod.namespace)) {
        namespaces.set(pod.namespace, { name: pod.namespace, labels: namespaceLabels(pod.namespace, {}), implicit: true });
      }
      pods.push(pod);
    }
    const accounts = input.serviceAccounts === undefined ? undefined : new Set(input.serviceAccounts);
    if (accounts) {
      for (const account of accounts) {
        const [namespace, name, extra] = String(account).split('/');
        rejectProblems(`ServiceAccount ${String(account)}`, [
          ...(extra === undefined && name !== undefined ? [] : [{ what: 'name', value: account, expected: '<namespace>/<name>', fix: 'write the account as <namespace>/<name>' }]),
          ...checkNamespaceName('namespace', namespace),
          ...checkSubdomainName('name', name ?? ''),
        ]);
      }
      for (const pod of pods) {
        if (!accounts.has(`${pod.namespace}/${pod.serviceAccountName}`)) {
          throw new AnalysisInputError(`Pod ${podId(pod)}: its service account ${pod.serviceAccountName} is not among the ServiceAccounts of namespace ${pod.namespace}; `
            + 'the API server admits no pod whose account does not exist, so the snapshot is incomplete: include every ServiceAccount (`kubectl get serviceaccounts -A -o yaml`)');
        }
      }
    }
    const services = buildNamed('Service', (input.services ?? []).map(buildService));
    const waypoints = buildNamed('waypoint Gateway', (input.waypoints ?? []).map(buildWaypoint));
    return new ClusterModel(namespaces, pods, services, waypoints, accounts);
  }

  /** Namespaces by name, sorted by name. */
  public readonly namespaces: ReadonlyMap<string, ClusterNamespace>;
  /** Pods sorted by namespace, then name. */
  public readonly pods: readonly ClusterPod[];
  private readonly byId: Map<string, ClusterPod>;
  private readonly byNamespace: Map<string, ClusterPod[]>;
  private readonly byIp: Map<string, ClusterPod[]>;
  /** Services, sorted by namespace then name. */
  public readonly services: readonly ClusterService[];
  /** Waypoints (Gateways of class `istio-waypoint`), sorted by namespace then name. */
  public readonly waypoints: readonly ClusterWaypoint[];
  /** `namespace/name` of every ServiceAccount, when the snapshot listed them; undefined = not known. */
  public readonly serviceAccounts?: ReadonlySet<string>;

  private constructor(
    namespaces: Map<string, ClusterNamespace>, pods: ClusterPod[],
    services: ClusterService[] = [], waypoints: ClusterWaypoint[] = [], serviceAccounts?: ReadonlySet<string>,
  ) {
    this.services = services;
    this.waypoints = waypoints;
    if (serviceAccounts) this.serviceAccounts = serviceAccounts;
    this.namespaces = new Map([...namespaces.entries()].sort(([a], [b]) => compareStrings(a, b)));
    this.pods = [...pods].sort((a, b) => compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name));
    this.byId = new Map(this.pods.map((pod) => [podId(pod), pod]));
    this.byNamespace = new Map();
    this.byIp = new Map();
    for (const pod of this.pods) {
      const list = this.byNamespace.get(pod.namespace) ?? [];
      list.push(pod);
      this.byNamespace.set(pod.namespace, list);
      for (const ip of pod.ips) {
        const owners = this.byIp.get(ip.text) ?? [];
        owners.push(pod);
        this.byIp.set(ip.text, owners);
      }
    }
  }

  /** Namespaces inferred from pods because no Namespace object was given (their labels may be incomplete). */
  public get implicitNamespaces(): string[] {
    return [...this.namespaces.values()].filter((ns) => ns.implicit).map((ns) => ns.name);
  }

  /** The pod, or undefined. */
  public findPod(namespace: string, name: string): ClusterPod | undefined {
    return this.byId.get(`${namespace}/${name}`);
  }

  /** The pods of a namespace, sorted by name (empty for an unknown namespace). */
  public podsIn(namespace: string): readonly ClusterPod[] {
    return this.byNamespace.get(namespace) ?? [];
  }

  /** The pods that own this canonical IP: several for host-network pods of one node. */
  public podsWithIp(ip: IpAddress): readonly ClusterPod[] {
    return this.byIp.get(ip.text) ?? [];
  }

  /** True if the snapshot says, for every pod, whether and how it is in the mesh. */
  public get hasMeshFacts(): boolean {
    return this.pods.length > 0 && this.pods.every((pod) => pod.mesh !== undefined);
  }

  /** The Service, or undefined. */
  public findService(namespace: string, name: string): ClusterService | undefined {
    return this.services.find((service) => service.namespace === namespace && service.name === name);
  }

  /** The waypoint, or undefined. */
  public findWaypoint(namespace: string, name: string): ClusterWaypoint | undefined {
    return this.waypoints.find((waypoint) => waypoint.namespace === namespace && waypoint.name === name);
  }
}

/** `namespace/name`. */
export function podId(pod: { readonly namespace: string; readonly name: string }): string {
  return `${pod.namespace}/${pod.name}`;
}

/** The pod's first IP of a family, or undefined. */
export function podIp(pod: ClusterPod, family: IpFamily): IpAddress | undefined {
  return pod.ips.find((ip) => ip.family === family);
}

/** Ordinal string comparison, independent of locale, so output is identical on every machine. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function namespaceLabels(name: string, labels: Readonly<Record<string, string>> | undefined): Labels {
  // The API server overwrites the label with the namespace name, whatever the manifest says.
  const out = ownLabels(labels);
  out[NAMESPACE_NAME_LABEL] = name;
  return out;
}

/** A copy without a prototype, so that `__proto__` or `constructor` are keys like any other. */
function ownLabels(labels: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(labels ?? {})) {
    out[key] = value;
  }
  return out;
}

function labelProblems(labels: Readonly<Record<string, string>> | undefined): InputProblem[] {
  return Object.entries(labels ?? {}).flatMap(([key, value]) => [
    ...checkLabelKey(`label key ${JSON.stringify(key)}`, key),
    ...checkLabelValue(`value of label ${JSON.stringify(key)}`, value),
  ]);
}

function rejectProblems(where: string, problems: readonly InputProblem[]): void {
  if (problems.length > 0) {
    const p = problems[0];
    throw new AnalysisInputError(`${where}: invalid ${p.what}: got ${JSON.stringify(p.value)}; expected ${p.expected}`);
  }
}

const PHASES: readonly PodPhase[] = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];

/**
 * Fails when two pods that are neither terminated nor on the host network share an IP: the network
 * gives each address to one pod at a time, so such a snapshot is inconsistent (`parseCluster` checks it).
 */
export function rejectSharedIps(pods: readonly ClusterPod[]): void {
  const owners = new Map<string, ClusterPod>();
  for (const pod of pods) {
    if (pod.hostNetwork) continue;
    for (const ip of pod.ips) {
      const other = owners.get(ip.text);
      if (other) {
        throw new AnalysisInputError(`Pods ${podId(other)} and ${podId(pod)} both have the IP ${ip.text} and neither is terminated nor on the host network: `
          + 'the cluster snapshot is inconsistent (taken while an address moved between pods); take it again with `kubectl get namespaces,pods,services,serviceaccounts,gateways -A -o yaml`');
      }
      owners.set(ip.text, pod);
    }
  }
}

function buildNamed<T extends { readonly namespace: string; readonly name: string }>(kind: string, items: T[]): T[] {
  const seen = new Set<string>();
  for (const item of items) {
    const id = `${item.namespace}/${item.name}`;
    if (seen.has(id)) {
      throw new AnalysisInputError(`${kind} ${id} is listed twice; every ${kind} must appear once`);
    }
    seen.add(id);
  }
  return items.sort((a, b) => compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name));
}

function buildService(input: ServiceInput): ClusterService {
  const namespace = input.namespace ?? 'default';
  const where = `Service ${namespace}/${String(input.name)}`;
  rejectProblems(where, [
    ...checkNamespaceName('namespace', namespace),
    ...checkSubdomainName('name', input.name),
    ...labelProblems(input.labels),
    ...labelProblems(input.selector).map((p) => ({ ...p, what: `selector ${p.what}` })),
  ]);
  const ports: ServicePort[] = (input.ports ?? []).map((port, i) => {
    if (!Number.isInteger(port.port) || port.port < 1 || port.port > 65535) {
      throw new AnalysisInputError(`${where}: ports[${i}].port: expected an integer from 1 to 65535, got ${JSON.stringify(port.port)}`);
    }
    const protocol = port.protocol ?? 'TCP';
    if (!PROTOCOLS.includes(protocol)) {
      throw new AnalysisInputError(`${where}: ports[${i}].protocol: expected one of ${PROTOCOLS.join(', ')}, got ${JSON.stringify(protocol)}`);
    }
    const target = port.targetPort ?? port.port;
    if (typeof target === 'number' ? !Number.isInteger(target) || target < 1 || target > 65535 : typeof target !== 'string' || checkPortName('targetPort', target).length > 0) {
      throw new AnalysisInputError(`${where}: ports[${i}].targetPort: expected a port number 1-65535 or a port name, got ${JSON.stringify(target)}`);
    }
    if (port.name !== undefined) rejectProblems(where, checkPortName(`ports[${i}].name`, port.name));
    return { ...(port.name === undefined ? {} : { name: port.name }), port: port.port, protocol, targetPort: target };
  });
  return {
    namespace,
    name: input.name,
    labels: ownLabels(input.labels),
    ...(input.selector === undefined ? {} : { selector: ownLabels(input.selector) }),
    ports,
  };
}

function buildWaypoint(input: WaypointInput): ClusterWaypoint {
  const namespace = input.namespace ?? 'default';
  const where = `waypoint Gateway ${namespace}/${String(input.name)}`;
  rejectProblems(where, [...checkNamespaceName('namespace', namespace), ...checkSubdomainName('name', input.name)]);
  const waypointFor = input.waypointFor ?? 'service';
  if (!WAYPOINT_FOR_VALUES.includes(waypointFor)) {
    throw new AnalysisInputError(`${where}: waypointFor: expected one of ${WAYPOINT_FOR_VALUES.join(', ')}, got ${JSON.stringify(waypointFor)}`);
  }
  if (input.ready !== undefined && typeof input.ready !== 'boolean') {
    throw new AnalysisInputError(`${where}: ready: expected true or false, got ${JSON.stringify(input.ready)}`);
  }
  return { namespace, name: input.name, waypointFor, ready: input.ready ?? true };
}

function buildPod(input: PodInput): ClusterPod {
  const namespace = input.namespace ?? 'default';
  const where = `Pod ${namespace}/${String(input.name)}`;
  rejectProblems(where, [
    ...checkNamespaceName('namespace', namespace),
    ...checkSubdomainName('name', input.name),
    ...checkSubdomainName('serviceAccountName', input.serviceAccountName ?? 'default'),
    ...(input.nodeName === undefined ? [] : checkSubdomainName('nodeName', input.nodeName)),
    ...labelProblems(input.labels),
    ...(input.ports ?? []).flatMap((port, i) => (port.name === undefined ? [] : checkPortName(`ports[${i}].name`, port.name))),
  ]);
  if (input.phase !== undefined && !PHASES.includes(input.phase)) {
    throw new AnalysisInputError(`${where}: phase: expected one of ${PHASES.join(', ')}, got ${JSON.stringify(input.phase)}`);
  }
  const terminated = input.phase !== undefined && TERMINATED_PHASES.includes(input.phase);
  const ips: IpAddress[] = [];
  for (const text of terminated ? [] : input.ips ?? []) {
    const ip = tryParseIpAddress(text);
    if (typeof ip === 'string') {
      throw new AnalysisInputError(`${where}: ips: ${ip}`);
    }
    if (!ips.some((known) => known.text === ip.text)) {
      ips.push(ip);
    }
  }
  const ports = (input.ports ?? []).map((port, i) => {
    if (!Number.isInteger(port.port) || port.port < 1 || port.port > 65535) {
      throw new AnalysisInputError(`${where}: ports[${i}].port: expected an integer from 1 to 65535, got ${JSON.stringify(port.port)}`);
    }
    const protocol = port.protocol ?? 'TCP';
    if (!PROTOCOLS.includes(protocol)) {
      throw new AnalysisInputError(`${where}: ports[${i}].protocol: expected one of ${PROTOCOLS.join(', ')}, got ${JSON.stringify(protocol)}`);
    }
    return port.name === undefined ? { port: port.port, protocol } : { name: port.name, port: port.port, protocol };
  });
  return {
    namespace,
    name: input.name,
    labels: ownLabels(input.labels),
    serviceAccountName: input.serviceAccountName ?? 'default',
    ips,
    ...(input.phase === undefined ? {} : { phase: input.phase }),
    ports,
    hostNetwork: input.hostNetwork ?? false,
    ...(input.nodeName === undefined ? {} : { nodeName: input.nodeName }),
    ...(input.mesh === undefined ? {} : { mesh: meshOf(where, input) }),
    ...(input.owner === undefined ? {} : { owner: { kind: input.owner.kind, name: input.owner.name } }),
  };
}

function meshOf(where: string, input: PodInput): PodMesh {
  const mesh = checkPodMesh(where, input.mesh as PodMesh);
  if (input.hostNetwork && mesh.enrollment !== 'none') {
    throw new AnalysisInputError(`${where}: mesh.enrollment: a host-network pod is never in the mesh (Istio neither injects nor captures it), got ${mesh.enrollment}`);
  }
  return mesh;
}
