import { ConnectionSet, PortRange } from './connection-set';
import { ConnectionSpace } from './connection-space';
import { evaluateDirection, evaluateFlow, EvaluationContext, resolveEndpoint } from './evaluate-flow';
import { PolicyIndex } from './policy-index';
import { ResolvedEndpoint } from './rule-matching';
import { DirectionVerdict, Verdict } from './verdict';
import { HBONE_PORT } from '../../dialects/istio/options';
import { ClusterModel, ClusterPod, podId, podIp } from '../cluster/cluster-model';
import { ClusterService, ServicePort } from '../cluster/mesh-facts';
import { GATEWAY_NAME_LABEL, serviceBackends, serviceWaypoint, ServiceWaypointBinding } from '../cluster/waypoint-binding';
import { IpFamily } from '../ip/ip-address';
import { AnalysisInputError } from '../ir/analysis-input-error';
import { AnalysisPolicy, Protocol } from '../ir/analysis-policy';
import { FlowEndpoint, HttpRequest } from '../ir/flow';

/** The root namespace, whose GatewayClass-bound policies apply at every waypoint. */
const ROOT_NAMESPACE = 'istio-system';

/**
 * At most this many hop evaluations for the Service sets of one analysis (sources × Services ×
 * endpoints × ports × request classes, with hops shared): beyond it the question is an error that
 * says how to narrow it, never a partial answer.
 */
export const MAX_SERVICE_EVALUATIONS = 2_000_000;

/** One hop of a Service-addressed connection and what decided there. */
export interface ServiceHop {
  /** `cni` (client → waypoint on HBONE), `waypoint` (its targetRefs policies), or `destination` (to the pod: CNI, then ztunnel or sidecar). */
  readonly hop: 'cni' | 'waypoint' | 'destination';
  /** One line: where, on which port, with whose identity. */
  readonly description: string;
  readonly allowed: boolean;
  /** The direction verdicts of the hop (each names the rule that decided, when one did). */
  readonly steps: readonly DirectionVerdict[];
}

/** The decision on a Service-addressed connection for one endpoint pod of the Service. */
export interface ServiceEndpointVerdict {
  /** `ns/name` of the endpoint pod. */
  readonly pod: string;
  /** The container port the Service port resolves to on that pod (undefined: the pod has no port of that name). */
  readonly targetPort?: number;
  /** `waypoint` when the connection passes the Service's waypoint, `direct` when it goes to the pod. */
  readonly path: 'waypoint' | 'direct';
  /** `ns/name` of the waypoint pod, on the waypoint path. */
  readonly waypointPod?: string;
  readonly allowed: boolean;
  readonly hops: readonly ServiceHop[];
}

/** The decision on one connection addressed to a Service (ClusterIP and Service port). */
export interface ServiceVerdict {
  /** True if every endpoint of the Service admits it (so whichever endpoint is chosen, it succeeds). */
  readonly allowed: boolean;
  /** True if some endpoint admits it. */
  readonly allowedBySome: boolean;
  /** `pod ns/name`. */
  readonly source: string;
  /** `svc ns/name`. */
  readonly destination: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** Why the connection takes the path it takes (the waypoint binding, or why there is none). */
  readonly binding: string;
  readonly endpoints: readonly ServiceEndpointVerdict[];
  /** Multi-line, human-readable account: each endpoint, each hop, the rule that decided there. */
  readonly explanation: string;
}

/** The exact connections from a source pod to a Service: per endpoint, and what every endpoint admits. */
export interface ServiceConnections {
  readonly service: ClusterService;
  /** The waypoint the Service is bound to (`ns/name`), or undefined for direct connections. */
  readonly waypoint?: string;
  /** Per endpoint pod, the connections on the Service's ports (the request classes where HTTP conditions apply). */
  readonly endpoints: readonly { readonly pod: ClusterPod; readonly connections: ConnectionSet }[];
  /** What every endpoint admits (empty for a Service without endpoints). */
  readonly every: ConnectionSet;
  /** What some endpoint admits. */
  readonly some: ConnectionSet;
}

/**
 * Connections addressed to a Service (its ClusterIP and a Service port), decided hop by hop
 * (docs/ANALYSIS.md, "Services and waypoints"):
 *
 * - kube-proxy (or the CNI's replacement) translates the Service port into the endpoint pod's
 *   `targetPort` (a name resolved on each pod; a pod without it is no endpoint for that port);
 * - **direct path** (no waypoint, a UDP or SCTP port, a client outside the mesh): the pod-to-pod flow
 *   to each endpoint on its target port, with today's rules (HBONE to ambient pods included);
 * - **waypoint path** (a TCP port of a Service bound to a ready waypoint, an ambient client): the
 *   client's ztunnel opens HBONE to a waypoint pod, so the CNI sees TCP 15008 client → waypoint pod
 *   (istio.io `ambient/usage/networkpolicy`); the waypoint applies the policies bound to the Service,
 *   to the waypoint's Gateway or to GatewayClass `istio-waypoint` (root namespace), with the client's
 *   principal, on the **Service port**, HTTP included: ztunnel tunnels the Service VIP and port as the
 *   HBONE `:authority` (istio/ztunnel @ 62d826530e5c `src/proxy/outbound.rs` `build_request`), the waypoint
 *   makes it the inner connection's local address and keys its filter chains by Service port (istio/istio
 *   @ 86c9f01fd735 `pilot/pkg/xds/filters/filters.go` `OriginalDstFilterStateKey`,
 *   `pilot/pkg/networking/core/listener_waypoint.go` `buildWaypointInternal`), and a policy's `ports` are
 *   Envoy's `destination_port`, that local port (`pilot/pkg/security/authz/model/generator.go`
 *   `destPortGenerator`); the engine renders waypoint policies on Service ports to match
 *   (`dialects/istio/waypoint-ports.ts`) — and no selector policy
 *   (`policyattachment.go` `ShouldAttachPolicy`: waypoints never use selector); then the waypoint
 *   opens HBONE to the endpoint pod, whose ztunnel evaluates its selector policies with the
 *   **waypoint's** principal (L4), and the CNI sees TCP 15008 waypoint pod → endpoint pod.
 *
 * Not modelled, so an error rather than a guess: a sidecar client to a waypoint-bound Service, a
 * waypoint-bound endpoint that is not ambient, a client whose enrollment the model does not say,
 * waypoint pods whose answers differ (the replica is chosen by load balancing), and waypoint pods
 * without their `istio-proxy` (the model must say they are proxies).
 */
export class ServicePaths {
  /**
   * The space the Service sets of several policy sets over one cluster are over (`diff`): the atoms
   * of all of them, every Service port kept whole and split by request class, and `extra` kept whole.
   */
  public static spaceOf(cluster: ClusterModel, indexes: readonly PolicyIndex[], extra: readonly PortRange[] = []): ConnectionSpace {
    const ports = cluster.services.flatMap((service) => service.ports.map((port) => ({ protocol: port.protocol, from: port.port, to: port.port })));
    const rules = indexes.flatMap((index) => index.parts.flatMap((part) => part.rules));
    return ConnectionSpace.forRules(cluster, rules, [{ protocol: 'TCP', from: HBONE_PORT, to: HBONE_PORT }, ...extra], ports);
  }

  /** The connection space the Service sets are over: the policies' atoms, every Service port kept whole (and split by request). */
  public readonly space: ConnectionSpace;
  private readonly waypointIndexes = new Map<string, PolicyIndex>();
  private readonly bindings = new Map<ClusterService, ServiceWaypointBinding>();
  private readonly hopCache = new Map<string, ServiceHop>();
  private readonly backendCache = new Map<ClusterService, ClusterPod[]>();
  private evaluations = 0;

  /**
   * @param context the cluster, policies and options
   * @param extra port ranges the space must keep whole too (a `--port` question)
   * @param space the space to use instead of this policy set's own (one `spaceOf` several policy sets, for `diff`)
   */
  constructor(private readonly context: EvaluationContext, extra: readonly PortRange[] = [], space?: ConnectionSpace) {
    this.space = space ?? ServicePaths.spaceOf(context.cluster, [context.index], extra);
  }

  /**
   * Decides one connection addressed to a Service, hop by hop, for each endpoint pod.
   * @throws AnalysisInputError for an unknown source, a port the Service does not have, or what is not modelled (see the class)
   */
  public evaluate(source: FlowEndpoint, service: ClusterService, port: number, protocol: Protocol, http?: HttpRequest): ServiceVerdict {
    const from = resolveEndpoint(this.context.cluster, source, 'source');
    const servicePort = service.ports.find((candidate) => candidate.port === port && candidate.protocol === protocol);
    const label = `svc ${service.namespace}/${service.name}`;
    if (!servicePort) {
      const known = service.ports.map((candidate) => `${candidate.protocol} ${candidate.port}`).join(', ') || 'none';
      throw new AnalysisInputError(`destination: ${label} has no port ${protocol} ${port} (its ports: ${known}); a connection to a Service uses one of its ports`);
    }
    const binding = this.binding(service);
    const endpoints = this.backends(service).map((pod) => this.endpointVerdict(from, service, servicePort, binding, pod, http));
    const allowed = endpoints.length > 0 && endpoints.every((endpoint) => endpoint.allowed);
    const allowedBySome = endpoints.some((endpoint) => endpoint.allowed);
    const result = {
      allowed, allowedBySome, source: from.label, destination: label, port, protocol, binding: binding.reason, endpoints,
    };
    return { ...result, explanation: formatServiceVerdict(result, http) };
  }

  /**
   * The exact connections from a source pod to a Service: every Service port, every request class
   * where HTTP conditions apply, decided per endpoint (one evaluation per class: every matcher of the
   * input agrees on a class, so the set is exact, not sampled).
   * @throws AnalysisInputError beyond `MAX_SERVICE_EVALUATIONS`, or for what is not modelled (see the class)
   */
  public connections(source: ClusterPod, service: ClusterService): ServiceConnections {
    const from: ResolvedEndpoint = { kind: 'pod', pod: source, label: `pod ${podId(source)}` };
    const binding = this.binding(service);
    const backends = this.backends(service);
    const space = this.space;
    const endpoints = backends.map((pod) => {
      const atoms: number[] = [];
      for (const servicePort of service.ports) {
        if (this.blocked(from, service, servicePort, binding, pod)) {
          continue;
        }
        const portAtom = space.portAtomIndex(space.atomAt(servicePort.port, servicePort.protocol));
        const { first, count } = space.atomsOfPortAtom(portAtom);
        for (let atom = first; atom < first + count; atom++) {
          const example = space.exampleOf(atom);
          if (this.endpointVerdict(from, service, servicePort, binding, pod, example.http, true).allowed) {
            atoms.push(atom);
          }
        }
      }
      return { pod, connections: space.fromAtoms(atoms) };
    });
    const every = endpoints.length === 0 ? space.empty : endpoints.reduce((set, endpoint) => set.intersect(endpoint.connections), space.full);
    const some = endpoints.reduce((set, endpoint) => set.union(endpoint.connections), space.empty);
    return {
      service,
      ...(binding.kind === 'waypoint' ? { waypoint: `${binding.waypoint.namespace}/${binding.waypoint.name}` } : {}),
      endpoints,
      every,
      some,
    };
  }

  /** The Service's endpoint pods (found once per Service). */
  private backends(service: ClusterService): readonly ClusterPod[] {
    let pods = this.backendCache.get(service);
    if (!pods) {
      pods = serviceBackends(this.context.cluster, service);
      this.backendCache.set(service, pods);
    }
    return pods;
  }

  /**
   * True if no connection on the port can reach the endpoint whatever the request: the waypoint path,
   * and on every waypoint pod the CNI hop or the destination hop denies (neither depends on the request).
   */
  private blocked(
    from: ResolvedEndpoint, service: ClusterService, servicePort: ServicePort, binding: ServiceWaypointBinding, pod: ClusterPod,
  ): boolean {
    const targetPort = resolveTargetPort(servicePort, pod);
    if (targetPort === undefined) return true;
    if (binding.kind !== 'waypoint' || servicePort.protocol !== 'TCP' || pod.mesh?.enrollment !== 'ambient' || !this.viaWaypoint(from, service, binding)) {
      return false;
    }
    return binding.pods.every((waypointPod) => !this.cached(`cni|${podKey(from)}|${podId(waypointPod)}`, () => this.cniHop(from, waypointPod)).allowed
      || !this.cached(`dst|${podId(waypointPod)}|${podId(pod)}|${targetPort}`, () => this.destinationHop(waypointPod, pod, targetPort)).allowed);
  }

  /** The Service's waypoint binding (decided once per Service). */
  public binding(service: ClusterService): ServiceWaypointBinding {
    let binding = this.bindings.get(service);
    if (!binding) {
      binding = serviceWaypoint(this.context.cluster, service);
      if (binding.kind === 'waypoint') {
        for (const pod of binding.pods) {
          if (pod.mesh === undefined || pod.mesh.enrollment === 'none') {
            throw new AnalysisInputError(`waypoint pod ${podId(pod)} of ${binding.waypoint.namespace}/${binding.waypoint.name}: the cluster model does not say it is a proxy `
              + '(every waypoint pod runs an istio-proxy container); read the pod from kubectl output, or give it mesh: { enrollment: \'sidecar\' }');
          }
        }
      }
      this.bindings.set(service, binding);
    }
    return binding;
  }

  private endpointVerdict(
    from: ResolvedEndpoint, service: ClusterService, servicePort: ServicePort, binding: ServiceWaypointBinding,
    pod: ClusterPod, http: HttpRequest | undefined, lazy = false,
  ): ServiceEndpointVerdict {
    const targetPort = resolveTargetPort(servicePort, pod);
    const id = podId(pod);
    if (targetPort === undefined) {
      return {
        pod: id,
        path: 'direct',
        allowed: false,
        hops: [{
          hop: 'destination',
          description: `pod ${id} has no ${servicePort.protocol} container port named ${String(servicePort.targetPort)}: it is no endpoint of port ${servicePort.port} (Kubernetes leaves it out of the EndpointSlice port)`,
          allowed: false,
          steps: [],
        }],
      };
    }
    const waypointPath = binding.kind === 'waypoint' && servicePort.protocol === 'TCP' && this.viaWaypoint(from, service, binding);
    if (!waypointPath || binding.kind !== 'waypoint') {
      const verdict = this.flow(from, pod, targetPort, servicePort.protocol, http);
      const why = binding.kind === 'waypoint'
        ? servicePort.protocol !== 'TCP' ? `${servicePort.protocol} is not captured by ztunnel, so it never reaches the waypoint` : `${from.label} is not in the mesh, so its connection never reaches the waypoint`
        : binding.reason;
      return {
        pod: id,
        targetPort,
        path: 'direct',
        allowed: verdict.allowed,
        hops: [{ hop: 'destination', description: `${why}; to pod ${id} on ${targetPort}/${servicePort.protocol}`, allowed: verdict.allowed, steps: verdict.steps }],
      };
    }
    if (pod.mesh?.enrollment !== 'ambient') {
      throw new AnalysisInputError(`Service ${service.namespace}/${service.name} is bound to the waypoint ${binding.waypoint.namespace}/${binding.waypoint.name}, but its endpoint pod ${id} is `
        + `${pod.mesh === undefined ? 'of unknown enrollment' : `${pod.mesh.enrollment}, not ambient`}; how the waypoint reaches it is not modelled: enrol the pod in ambient mode, or label the Service istio.io/use-waypoint=none`);
    }
    let chosen: ServiceEndpointVerdict | undefined;
    for (const waypointPod of binding.pods) {
      const cni = this.cached(`cni|${podKey(from)}|${podId(waypointPod)}`, () => this.cniHop(from, waypointPod));
      // The endpoint is ambient: its ztunnel and the CNI decide without the request, so one hop serves every request.
      const destination = this.cached(`dst|${podId(waypointPod)}|${id}|${targetPort}`, () => this.destinationHop(waypointPod, pod, targetPort));
      // For the sets only the outcome counts: the waypoint's policies are not consulted when another hop denies.
      const hops = lazy && !(cni.allowed && destination.allowed) ? [cni, destination]
        : [cni, this.waypointHop(from, service, servicePort, binding, waypointPod, http), destination];
      const verdict: ServiceEndpointVerdict = {
        pod: id, targetPort, path: 'waypoint', waypointPod: podId(waypointPod), allowed: hops.every((hop) => hop.allowed), hops,
      };
      if (chosen !== undefined && chosen.allowed !== verdict.allowed) {
        throw new AnalysisInputError(`the pods of waypoint ${binding.waypoint.namespace}/${binding.waypoint.name} (${chosen.waypointPod}, ${verdict.waypointPod}) decide a connection from ${from.label} `
          + `to Service ${service.namespace}/${service.name} port ${servicePort.port} differently (the CNI treats them differently), and which one load balancing picks is not knowable: give the waypoint's pods the same labels and policies`);
      }
      chosen ??= verdict;
    }
    return chosen as ServiceEndpointVerdict;
  }

  /** True if the client's connection to the Service goes through its waypoint. */
  private viaWaypoint(from: ResolvedEndpoint, service: ClusterService, binding: Extract<ServiceWaypointBinding, { kind: 'waypoint' }>): boolean {
    if (from.kind === 'external' || from.pod.hostNetwork) return false;
    const mesh = from.pod.mesh;
    if (mesh === undefined) {
      throw new AnalysisInputError(`${from.label}: Service ${service.namespace}/${service.name} is bound to the waypoint ${binding.waypoint.namespace}/${binding.waypoint.name}, `
        + 'and whether the client reaches it depends on its mesh enrollment, which the cluster model does not say: read the cluster from kubectl output, or give the pod mesh enrollment (PodInput.mesh)');
    }
    if (mesh.enrollment === 'sidecar') {
      throw new AnalysisInputError(`${from.label} is a sidecar client of Service ${service.namespace}/${service.name}, which is bound to the waypoint ${binding.waypoint.namespace}/${binding.waypoint.name}; `
        + 'how a sidecar reaches a waypoint-bound Service is not modelled by the analyzer: analyse ambient clients, or label the Service istio.io/use-waypoint=none');
    }
    return mesh.enrollment === 'ambient';
  }

  /** Client → waypoint pod: HBONE, so the CNI sees TCP 15008; the waypoint pod applies no selector policy. */
  private cniHop(from: ResolvedEndpoint, waypointPod: ClusterPod): ServiceHop {
    const verdict = this.flow(from, waypointPod, HBONE_PORT, 'TCP', undefined);
    const steps = verdict.steps.filter((step) => step.layer === 'network');
    const allowed = verdict.noNetwork === undefined && (verdict.exemption !== undefined || steps.every((step) => step.allowed));
    return {
      hop: 'cni',
      description: `HBONE to waypoint pod ${podId(waypointPod)}: the CNI sees TCP ${HBONE_PORT}${verdict.noNetwork ? ` (${verdict.noNetwork})` : ''}`,
      allowed,
      steps,
    };
  }

  /** At the waypoint: its targetRefs policies, with the client's principal, on the Service port, HTTP included. */
  private waypointHop(
    from: ResolvedEndpoint, service: ClusterService, servicePort: ServicePort, binding: Extract<ServiceWaypointBinding, { kind: 'waypoint' }>,
    waypointPod: ClusterPod, http: HttpRequest | undefined,
  ): ServiceHop {
    this.count();
    const index = this.waypointIndex(binding.waypoint.namespace, binding.waypoint.name, service);
    const destination: ResolvedEndpoint = { kind: 'pod', pod: waypointPod, label: `waypoint ${binding.waypoint.namespace}/${binding.waypoint.name} (pod ${podId(waypointPod)})` };
    const family = commonFamily(from, waypointPod);
    const context: EvaluationContext = { ...this.context, index };
    const step = evaluateDirection(context, {
      cluster: this.context.cluster,
      options: this.context.options,
      family,
      port: servicePort.port,
      protocol: 'TCP',
      destination,
      ...(http ? { http } : {}),
      // HBONE from the client's ztunnel: the waypoint sees the client's certificate.
      mtls: true,
    }, 'mesh', 'ingress', destination, from);
    const request = http ? ` ${http.method} ${http.path}` : ' (no HTTP request)';
    return {
      hop: 'waypoint',
      description: `waypoint ${binding.waypoint.namespace}/${binding.waypoint.name}: policies bound to Service ${service.namespace}/${service.name}, the Gateway or GatewayClass istio-waypoint, `
        + `on Service port ${servicePort.port}${request}, client identity of ${from.label}`,
      allowed: step.allowed,
      steps: [step],
    };
  }

  /** Waypoint pod → endpoint pod: HBONE (the CNI sees TCP 15008), then the pod's ztunnel (L4) with the waypoint's principal. */
  private destinationHop(waypointPod: ClusterPod, pod: ClusterPod, targetPort: number): ServiceHop {
    const from: ResolvedEndpoint = { kind: 'pod', pod: waypointPod, label: `pod ${podId(waypointPod)}` };
    const verdict = this.flow(from, pod, targetPort, 'TCP', undefined);
    return {
      hop: 'destination',
      description: `waypoint pod ${podId(waypointPod)} to pod ${podId(pod)} on ${targetPort}/TCP (HBONE; ztunnel sees the waypoint's identity, service account ${waypointPod.serviceAccountName})`,
      allowed: verdict.allowed,
      steps: verdict.steps,
    };
  }

  private flow(from: ResolvedEndpoint, to: ClusterPod, port: number, protocol: Protocol, http: HttpRequest | undefined): Verdict {
    this.count();
    const source: FlowEndpoint = from.kind === 'pod' ? { kind: 'pod', namespace: from.pod.namespace, name: from.pod.name } : { kind: 'ip', ip: from.ip.text };
    return evaluateFlow(this.context, { source, destination: { kind: 'pod', namespace: to.namespace, name: to.name }, port, protocol, ...(http ? { http } : {}) });
  }

  private cached(key: string, compute: () => ServiceHop): ServiceHop {
    let hop = this.hopCache.get(key);
    if (!hop) {
      hop = compute();
      this.hopCache.set(key, hop);
    }
    return hop;
  }

  private count(): void {
    if (++this.evaluations > MAX_SERVICE_EVALUATIONS) {
      throw new AnalysisInputError(`the connections to Services need more than ${MAX_SERVICE_EVALUATIONS.toLocaleString('en-US')} hop evaluations (sources × Services × endpoints × ports × request classes); `
        + 'ask about fewer: explain --to svc/<namespace>/<name>, or a cluster file with only the Services in question');
    }
  }

  /**
   * The policies a waypoint applies to a Service's traffic, as an index whose parts select the
   * waypoint's pods (so the ordinary tiers evaluate them: DENY, then ALLOW).
   */
  private waypointIndex(namespace: string, name: string, service: ClusterService): PolicyIndex {
    const key = `${namespace}/${name}|${service.namespace}/${service.name}`;
    let index = this.waypointIndexes.get(key);
    if (!index) {
      const attached = new Set<AnalysisPolicy>();
      for (const part of this.context.index.parts) {
        const targets = part.policy.waypointTargets;
        if (targets && targets.some((target) => (target.kind === 'Service' && target.namespace === service.namespace && target.name === service.name)
          || (target.kind === 'Gateway' && target.namespace === namespace && target.name === name)
          || (target.kind === 'GatewayClass' && part.policy.ref.namespace === ROOT_NAMESPACE))) {
          attached.add(part.policy);
        }
      }
      index = new PolicyIndex([...attached].map((policy) => ({
        ...policy,
        subject: { namespaces: { kind: 'names' as const, names: [namespace] }, pods: { op: 'in' as const, key: GATEWAY_NAME_LABEL, values: [name] } },
      })));
      this.waypointIndexes.set(key, index);
    }
    return index;
  }
}

/** The container port a Service port sends to on a pod: a number as is, a name resolved on the pod (undefined: no such port). */
export function resolveTargetPort(servicePort: ServicePort, pod: ClusterPod): number | undefined {
  if (typeof servicePort.targetPort === 'number') return servicePort.targetPort;
  return pod.ports.find((port) => port.name === servicePort.targetPort && port.protocol === servicePort.protocol)?.port;
}

function podKey(endpoint: ResolvedEndpoint): string {
  return endpoint.kind === 'pod' ? podId(endpoint.pod) : endpoint.ip.text;
}

function commonFamily(from: ResolvedEndpoint, pod: ClusterPod): IpFamily | undefined {
  if (from.kind === 'external') return podIp(pod, from.ip.family) ? from.ip.family : undefined;
  return (['IPv4', 'IPv6'] as IpFamily[]).find((family) => podIp(from.pod, family) !== undefined && podIp(pod, family) !== undefined);
}

/** The explanation of a Service verdict: a headline, the binding, then each endpoint's hops and the deciding step of each. */
export function formatServiceVerdict(verdict: Omit<ServiceVerdict, 'explanation'>, http?: HttpRequest): string {
  const request = http ? ` ${http.method} ${http.path}` : '';
  const headline = verdict.endpoints.length === 0 ? 'DENIED' : verdict.allowed ? 'ALLOWED' : verdict.allowedBySome ? 'ALLOWED BY SOME ENDPOINTS' : 'DENIED';
  const lines = [`${headline}: ${verdict.source} -> ${verdict.destination} on ${verdict.port}/${verdict.protocol}${request}`, `  path: ${verdict.binding}`];
  if (verdict.endpoints.length === 0) {
    lines.push('  the Service has no endpoint pod (no running pod matches its selector, or it has no selector): no connection');
  }
  for (const endpoint of verdict.endpoints) {
    const via = endpoint.path === 'waypoint' ? ` via ${endpoint.waypointPod}` : '';
    lines.push(`  endpoint pod ${endpoint.pod}${endpoint.targetPort === undefined ? '' : ` (target port ${endpoint.targetPort})`}${via}: ${endpoint.allowed ? 'allowed' : 'denied'}`);
    for (const hop of endpoint.hops) {
      lines.push(`    [${hop.hop}] ${hop.description}: ${hop.allowed ? 'allowed' : 'denied'}`);
      for (const step of hop.steps) {
        lines.push(`      [${step.layer}] ${step.direction} at ${step.endpoint}: ${step.reason}`);
      }
    }
  }
  return lines.join('\n');
}
