import { AnalysisUniverse, UniverseScope } from './analysis-universe';
import { ConnectionSet, PortRange } from './connection-set';
import { ConnectionSpace } from './connection-space';
import { Connectivity } from './connectivity';
import { evaluateFlow, resolveEndpoint } from './evaluate-flow';
import { EvaluatorOptions, resolveEvaluatorOptions, ResolvedEvaluatorOptions } from './evaluator-options';
import { ExternalAddressClasses } from './external-classes';
import { PolicyIndex } from './policy-index';
import { ReachabilityMatrix } from './reachability-matrix';
import { ServiceConnections, ServicePaths, ServiceVerdict } from './service-paths';
import { Verdict } from './verdict';
import { rejectEvaluatedAmbientHostTraffic } from '../cluster/ambient-host-traffic';
import { ClusterModel, ClusterPod } from '../cluster/cluster-model';
import { ClusterService } from '../cluster/mesh-facts';
import { rejectWorkloadWaypoints } from '../cluster/waypoint-binding';
import { AnalysisInputError } from '../ir/analysis-input-error';
import { AnalysisPolicy, Protocol } from '../ir/analysis-policy';
import { Flow, FlowEndpoint, HttpRequest } from '../ir/flow';

/**
 * Answers reachability questions about one cluster model and one set of policies. Indexes the
 * policies once; reuse one analyzer for many flows. `connectivity()` is the exact result (every
 * endpoint class, every connection), computed once; `evaluate(flow)` decides one flow and explains it.
 */
export class ReachabilityAnalyzer {
  /**
   * One universe for several analyzers over the same cluster and options (`diff`): their results
   * are then sets over the same classes and atoms, and compare class by class.
   * @throws AnalysisInputError if the analyzers have different clusters or options
   */
  public static jointUniverse(analyzers: readonly ReachabilityAnalyzer[], scope: UniverseScope = {}): AnalysisUniverse {
    const [first] = analyzers;
    for (const other of analyzers) {
      if (other.cluster !== first.cluster || JSON.stringify(other.options) !== JSON.stringify(first.options)) {
        throw new AnalysisInputError('analyzers compared with each other need the same cluster model and the same evaluator options');
      }
    }
    return new AnalysisUniverse(first.cluster, analyzers.map((analyzer) => analyzer.index), first.options, scope);
  }

  /**
   * Service-addressed evaluators of several analyzers over one cluster whose sets are over one space
   * (`diff`: before and after compare atom by atom), keeping `ports` whole too.
   * @throws AnalysisInputError if the analyzers have different clusters or options
   */
  public static jointServicePaths(analyzers: readonly ReachabilityAnalyzer[], ports: readonly PortRange[] = []): ServicePaths[] {
    const [first] = analyzers;
    for (const other of analyzers) {
      if (other.cluster !== first.cluster || JSON.stringify(other.options) !== JSON.stringify(first.options)) {
        throw new AnalysisInputError('analyzers compared with each other need the same cluster model and the same evaluator options');
      }
    }
    const space = ServicePaths.spaceOf(first.cluster, analyzers.map((analyzer) => analyzer.index), ports);
    return analyzers.map((analyzer) => new ServicePaths({ cluster: analyzer.cluster, index: analyzer.index, options: analyzer.options }, [], space));
  }

  public readonly options: ResolvedEvaluatorOptions;
  /** @internal */
  public readonly index: PolicyIndex;
  private readonly results = new Map<AnalysisUniverse, Connectivity>();
  private ownUniverse: AnalysisUniverse | undefined;
  /** The atoms and external classes of this policy set, for the two-endpoint universes of `connections`. */
  private shared: { space: ConnectionSpace; external: ExternalAddressClasses } | undefined;
  private paths: ServicePaths | undefined;

  /**
   * @param cluster the namespaces and pods
   * @param policies policies of any dialect, translated into the analysis IR (unenforced ones are ignored)
   * @param options implementation-defined behaviour; see `EvaluatorOptions` for the defaults
   * @throws AnalysisInputError if two policies define the same tier differently, a pod is bound to a
   * workload waypoint (`rejectWorkloadWaypoints`), or node-local traffic is to be evaluated while ambient
   * pods share a node with host-network pods (`rejectEvaluatedAmbientHostTraffic`)
   */
  constructor(public readonly cluster: ClusterModel, policies: readonly AnalysisPolicy[], options: EvaluatorOptions = {}) {
    this.options = resolveEvaluatorOptions(options);
    // Pod-addressed connections that pass a workload waypoint are not modelled: an error, not a wrong path.
    rejectWorkloadWaypoints(cluster);
    // Node traffic to ambient pods skips ztunnel from a rewritten source: not modelled when it is to be evaluated.
    rejectEvaluatedAmbientHostTraffic(cluster, this.options.nodeLocalTraffic);
    this.index = new PolicyIndex(policies);
  }

  /**
   * Decides a flow and explains why: per direction (egress at the source, ingress at the
   * destination), whether the pod is isolated, which policies select it, which rules allowed it
   * (all of them) or why it was denied. Agrees with `connectivity()` on every flow without HTTP and mTLS.
   * @throws AnalysisInputError for an unknown pod, an invalid IP, port or protocol
   */
  public evaluate(flow: Flow): Verdict {
    return evaluateFlow({ cluster: this.cluster, index: this.index, options: this.options }, flow);
  }

  /**
   * The exact connectivity: every pod group and external address class, and the connections
   * between them. Computed lazily and cached; pass a joint universe (see `jointUniverse`) to
   * compare analyzers.
   */
  public connectivity(universe?: AnalysisUniverse): Connectivity {
    const target = universe ?? this.universe();
    let result = this.results.get(target);
    if (!result) {
      result = new Connectivity(target, this.index);
      this.results.set(target, result);
    }
    return result;
  }

  /**
   * The universe of this analyzer alone: its classes and atoms (cached); with a scope, a new one
   * for a narrower question (some pods, port ranges kept whole).
   */
  public universe(scope?: UniverseScope): AnalysisUniverse {
    if (scope !== undefined) {
      return new AnalysisUniverse(this.cluster, [this.index], this.options, scope);
    }
    this.ownUniverse ??= new AnalysisUniverse(this.cluster, [this.index], this.options);
    return this.ownUniverse;
  }

  /**
   * The exact set of connections from one endpoint to another (pods or IP addresses), without
   * computing the whole connectivity: only the two endpoints are grouped.
   * @throws AnalysisInputError for an unknown pod or an invalid IP
   */
  public connections(source: FlowEndpoint, destination: FlowEndpoint): ConnectionSet {
    if (this.ownUniverse) {
      return this.connectivity().connections(source, destination);
    }
    const pods = [resolveEndpoint(this.cluster, source, 'source'), resolveEndpoint(this.cluster, destination, 'destination')]
      .flatMap((end) => (end.kind === 'pod' ? [end.pod] : []));
    this.shared ??= {
      space: AnalysisUniverse.spaceOf(this.cluster, [this.index]),
      external: AnalysisUniverse.externalOf(this.cluster, [this.index]),
    };
    const universe = new AnalysisUniverse(this.cluster, [this.index], this.options, { pods: [...new Set(pods)] }, this.shared);
    return new Connectivity(universe, this.index).connections(source, destination);
  }

  /**
   * Decides a connection addressed to a Service (its ClusterIP and a Service port) hop by hop, for
   * each endpoint pod: directly to the pod, or through the Service's waypoint (docs/ANALYSIS.md,
   * "Services and waypoints").
   * @throws AnalysisInputError for an unknown Service or source, a port the Service lacks, or what is not modelled
   */
  public evaluateService(source: FlowEndpoint, namespace: string, name: string, port: number, protocol: Protocol = 'TCP', http?: HttpRequest): ServiceVerdict {
    return this.servicePaths().evaluate(source, this.service(namespace, name), port, protocol, http);
  }

  /**
   * The exact connections from a pod to a Service, per endpoint pod and for every endpoint, over
   * `servicePaths().space` (the Service ports kept whole, split by request class where HTTP applies).
   * @throws AnalysisInputError for what is not modelled (see `ServicePaths`)
   */
  public serviceConnections(source: ClusterPod, service: ClusterService): ServiceConnections {
    return this.servicePaths().connections(source, service);
  }

  /**
   * The Service-addressed evaluator of this analyzer (created once); with `ports`, a new one whose
   * space also keeps these ranges whole (a `--port` question).
   */
  public servicePaths(ports?: readonly PortRange[]): ServicePaths {
    const context = { cluster: this.cluster, index: this.index, options: this.options };
    if (ports !== undefined && ports.length > 0) {
      return new ServicePaths(context, ports);
    }
    this.paths ??= new ServicePaths(context);
    return this.paths;
  }

  /**
   * The Service, or an error naming the Services of its namespace.
   * @throws AnalysisInputError for an unknown Service
   */
  public service(namespace: string, name: string): ClusterService {
    const service = this.cluster.findService(namespace, name);
    if (!service) {
      const known = this.cluster.services.filter((candidate) => candidate.namespace === namespace).map((candidate) => candidate.name);
      throw new AnalysisInputError(`destination: unknown Service ${namespace}/${name} (${known.length === 0 ? `the cluster model has no Services in namespace ${namespace}` : `Services in ${namespace}: ${known.slice(0, 5).join(', ')}${known.length > 5 ? ', …' : ''}`}); `
        + 'include Services in the cluster file (`kubectl get namespaces,pods,services,serviceaccounts,gateways -A -o yaml`)');
    }
    return service;
  }

  /**
   * The full pod-to-pod matrix for one port and protocol, self pairs included: a view of
   * `connectivity()`. Flows carry no HTTP request and no mTLS.
   */
  public matrix(port: number, protocol: Protocol): ReachabilityMatrix {
    return new ReachabilityMatrix(this.connectivity(), port, protocol);
  }
}

/**
 * Decides one flow against a cluster model and policies. For many flows, build a
 * `ReachabilityAnalyzer` once instead.
 */
export function evaluate(cluster: ClusterModel, policies: readonly AnalysisPolicy[], flow: Flow, options: EvaluatorOptions = {}): Verdict {
  return new ReachabilityAnalyzer(cluster, policies, options).evaluate(flow);
}

/**
 * The allowed (source pod, destination pod) pairs on one port and protocol, self pairs included,
 * computed per group of indistinguishable pods so it scales with distinct policy roles, not pods.
 */
export function matrix(
  cluster: ClusterModel,
  policies: readonly AnalysisPolicy[],
  port: number,
  protocol: Protocol,
  options: EvaluatorOptions = {},
): ReachabilityMatrix {
  return new ReachabilityAnalyzer(cluster, policies, options).matrix(port, protocol);
}
