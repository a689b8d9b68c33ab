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

/** One connection to check against a chart's synthesized policies. */
export interface FlowQuery {
  /** The client: a pod, or an IP address outside the cluster (e.g. `'203.0.113.9'`). */
  readonly from: PodSpec | string;
  /** The server: a pod, or an IP address outside the cluster. */
  readonly to: PodSpec | string;
  /** The destination (container) port. */
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
