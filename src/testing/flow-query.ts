/** A pod in a flow query: the labels it carries where it runs. */
export interface PodSpec {
  readonly namespace: string;
  /** @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** @default 'default' */
  readonly serviceAccount?: string;
  /** Labels of the pod's namespace (its `kubernetes.io/metadata.name` label is always there). @default {} */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /** Container ports, for named ports. @default - none */
  readonly containerPorts?: readonly { readonly name: string; readonly port: number; readonly protocol?: 'TCP' | 'UDP' | 'SCTP' }[];
  /**
   * The pod's place in the Istio mesh, which decides whether its connections are mTLS and whether
   * mesh policies are enforced at it: `sidecar`, `ambient` (captured by ztunnel) or `none`.
   * @default - the data-plane mode of the app's Istio engine (its workloads are in the mesh); not known
   * without Istio, or when the app has Istio engines of both modes
   */
  readonly mesh?: 'sidecar' | 'ambient' | 'none';
}

/** One port of a Service in a flow query, as its `spec.ports` says. */
export interface ServicePortSpec {
  /** The Service port: what the client connects to (the query's `port`). */
  readonly port: number;
  /**
   * The container port it forwards to: a number, or the name of one of the endpoint's `containerPorts`.
   * @default - the same as `port`
   */
  readonly targetPort?: number | string;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
  /** @default - no name */
  readonly name?: string;
}

/**
 * A Service as the destination of a flow query (its ClusterIP and a Service port). A chart holds no Service
 * objects, so the query says what the cluster has: the Service's ports, the pod behind it, and whether it is
 * bound to a waypoint (Istio ambient). The query is answered hop by hop, as `explain --to svc/<ns>/<name>`
 * answers it: client → waypoint (the CNI on HBONE 15008, then the waypoint's `targetRefs` policies with the
 * client's identity, HTTP included, on the **Service** port) → the pod (the CNI, then its ztunnel with the
 * waypoint's identity on the target port); or directly to the pod on the target port.
 *
 * @example
 * { service: 'backend-api', namespace: 'production', ports: [{ port: 80, targetPort: 8080 }],
 *   endpoint: { labels: { app: 'backend-api' }, serviceAccount: 'backend-api' }, waypoint: 'waypoint' }
 */
export interface ServiceSpec {
  /** The Service's name (`metadata.name`). */
  readonly service: string;
  readonly namespace: string;
  /** The Service's ports (at least one; at most 100). */
  readonly ports: readonly ServicePortSpec[];
  /**
   * The Service's selector.
   * @default - the endpoint's labels
   */
  readonly selector?: Readonly<Record<string, string>>;
  /**
   * The one pod behind the Service, in its namespace; its labels must match the selector.
   * @default - a pod with the selector's labels, service account 'default', enrolled as `PodSpec.mesh` says by default
   */
  readonly endpoint?: Omit<PodSpec, 'namespace'>;
  /**
   * The Service's `istio.io/use-waypoint` label: the name of the waypoint (a ready Gateway in the Service's
   * namespace with one pod, added to the query's cluster, running as the app's waypoint service account), or
   * `'none'` for a Service that no waypoint takes.
   * @default - no waypoint; required when the app's policies bind to this Service (AuthorizationPolicy `targetRefs`),
   * where leaving it out would answer a question the app does not ask
   */
  readonly waypoint?: string;
}

/** One connection to check against a chart's synthesized policies. */
export interface FlowQuery {
  /** The client: a pod, or an IP address outside the cluster (e.g. `'203.0.113.9'`). */
  readonly from: PodSpec | string;
  /** The server: a pod, a Service (`{ service, namespace, ports, ... }`), or an IP address outside the cluster. */
  readonly to: PodSpec | ServiceSpec | string;
  /** The destination (container) port; for a Service, the Service port. */
  readonly port: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
  /**
   * The HTTP method of a request on the connection (case-sensitive, as sent), for HTTP rules.
   * @default - 'GET' when `path` is given; otherwise the connection carries no HTTP request
   */
  readonly method?: string;
  /**
   * The request path as the policy sees it (after the proxy's normalization), query string included.
   * @default - '/' when `method` is given; otherwise the connection carries no HTTP request
   */
  readonly path?: string;
}

/** Whether a flow query's destination is a Service. */
export function isServiceSpec(to: PodSpec | ServiceSpec | string): to is ServiceSpec {
  return typeof to === 'object' && to !== null && 'service' in to;
}
