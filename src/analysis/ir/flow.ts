import { Protocol } from './analysis-policy';
import { IpFamily } from '../ip/ip-address';

/**
 * One end of a flow: a pod of the cluster model, or an IP address — for a destination, optionally
 * with the DNS name the source looked it up by (what Cilium `toFQDNs` rules decide on).
 */
export type FlowEndpoint =
  | { readonly kind: 'pod'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'ip'; readonly ip: string; readonly dnsName?: string };

/** A connection attempt to analyse. The port is the destination (post-DNAT, container) port. */
export interface Flow {
  readonly source: FlowEndpoint;
  readonly destination: FlowEndpoint;
  readonly port: number;
  readonly protocol: Protocol;
  /**
   * Address family of a pod-to-pod connection, which decides the pod IPs ipBlocks see. When omitted,
   * every family both pods have is tried and the flow is allowed if one of them allows it.
   */
  readonly ipFamily?: IpFamily;
  /** The HTTP request, for L7 rules (reserved for later dialects). */
  readonly http?: HttpRequest;
  /** Mesh facts (reserved for Istio): whether the connection is mutually authenticated. */
  readonly mesh?: MeshFacts;
}

/** An HTTP request line. `path` includes the query string, as Envoy's `:path` does. */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly host?: string;
}

/** What the mesh knows about a connection. */
export interface MeshFacts {
  /** True if the client presented a mesh certificate (mTLS); identity rules match only then. */
  readonly mtls: boolean;
}

/** A pod endpoint. */
export function podEndpoint(namespace: string, name: string): FlowEndpoint {
  return { kind: 'pod', namespace, name };
}

/** An IP endpoint. */
export function ipEndpoint(ip: string): FlowEndpoint {
  return { kind: 'ip', ip };
}

/** An IP endpoint reached by a DNS name (a destination). */
export function dnsEndpoint(dnsName: string, ip: string): FlowEndpoint {
  return { kind: 'ip', ip, dnsName };
}

/**
 * Reads `<namespace>/<pod>` as a pod and anything else as an IP address (not validated here),
 * the notation the CLI uses for `--from` and `--to`.
 */
export function parseFlowEndpoint(text: string): FlowEndpoint {
  const slash = text.indexOf('/');
  if (slash > 0 && !text.includes(':') && !/^[\d.]+\/\d+$/.test(text)) {
    return podEndpoint(text.slice(0, slash), text.slice(slash + 1));
  }
  return ipEndpoint(text);
}

/** `pod ns/name` or the IP, for messages. */
export function describeFlowEndpoint(endpoint: FlowEndpoint): string {
  if (endpoint.kind === 'pod') return `pod ${endpoint.namespace}/${endpoint.name}`;
  return endpoint.dnsName === undefined ? endpoint.ip : `${endpoint.ip} (dns ${endpoint.dnsName})`;
}
