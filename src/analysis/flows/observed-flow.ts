import { IntentRef } from '../ir/intent-ref';

/** How an observed endpoint was identified in the flow record, before it is mapped to the cluster model. */
export type ObservedEndpoint =
  /** A pod named by namespace and name (Hubble `pod_name`, a neutral `ns/pod`, a Calico pod name). */
  | { readonly kind: 'pod'; readonly namespace: string; readonly name: string; readonly ip?: string }
  /** The pods of a namespace whose names start with a prefix (Calico's aggregated `generateName*`). */
  | { readonly kind: 'pods'; readonly namespace: string; readonly namePrefix: string }
  /**
   * An address: outside the cluster (Hubble `reserved:world`, CIDR identities, an IP in a neutral
   * file), the API server (`reserved:kube-apiserver`), or unknown to the CNI (identity 0).
   */
  | { readonly kind: 'address'; readonly ip: string; readonly identity: 'world' | 'kube-apiserver' | 'unknown' }
  /** A node (Hubble `reserved:host`, the local node, or `reserved:remote-node`), by its address. */
  | { readonly kind: 'node'; readonly ip?: string; readonly identity: 'host' | 'remote-node' }
  /** Calico's aggregate of addresses no endpoint or network set covers: `pub` (public) or `pvt` (private ranges). */
  | { readonly kind: 'network'; readonly scope: 'public' | 'private' }
  /** Something the cluster model has no counterpart for; `label` is how the record names it. */
  | { readonly kind: 'other'; readonly label: string; readonly reason: string };

/** What a record says the network did with the connection (a policy decision, or another fate). */
export type Observation =
  /**
   * A policy allowed it: at the source's egress (`egress`), or the whole connection (`connection`:
   * delivered to the destination, or admitted by the destination's ingress).
   */
  | { readonly kind: 'allowed'; readonly scope: 'egress' | 'connection' }
  /** A policy denied it (or would have: `audit`), at the given direction when the record says. */
  | { readonly kind: 'denied'; readonly direction?: 'ingress' | 'egress'; readonly audit: boolean; readonly reason: string }
  /** Dropped or failed for a reason that is not a policy decision (connection tracking, routing, …). */
  | { readonly kind: 'dropped'; readonly reason: string }
  /** The record decides nothing (a trace before any policy, an address translation). */
  | { readonly kind: 'none' };

/** A policy (and rule) that a record says decided the connection. */
export interface RecordedPolicy {
  /** The policy's kind as the record names it, e.g. `CiliumNetworkPolicy`, `NetworkPolicy`, `projectcalico.org/NetworkPolicy`. */
  readonly kind?: string;
  readonly namespace?: string;
  readonly name: string;
  /** Calico: the index of the rule in the direction's list; -1 for the tier's end (its default action). */
  readonly ruleIndex?: number;
  /** Calico's tier. */
  readonly tier?: string;
  /** The intent the record names (Hubble's `Policy.labels` carry the Cilium rule's labels). */
  readonly intent?: IntentRef;
}

/** The L4 protocols a flow record can carry; the analyzer decides TCP, UDP and SCTP. */
export type ObservedProtocol = 'TCP' | 'UDP' | 'SCTP' | 'ICMPv4' | 'ICMPv6' | 'other';

/** One flow record, read from a file of any supported format. */
export interface ObservedFlow {
  readonly source: ObservedEndpoint;
  readonly destination: ObservedEndpoint;
  readonly protocol: ObservedProtocol;
  /** The destination port (TCP, UDP, SCTP); undefined for ICMP and other protocols. */
  readonly port?: number;
  /** The HTTP request of an L7 record. `path` includes the query string. */
  readonly http?: { readonly method: string; readonly path: string };
  readonly observation: Observation;
  /** The policies the record names as deciding (allowed_by / denied_by, Calico policy hits). */
  readonly recordedBy?: readonly RecordedPolicy[];
}

/** A record that is read but carries no connection to audit, and why (counted in the report). */
export interface SkippedRecord {
  readonly skipped: string;
  /** Events the source lost before the record was written (Hubble `lost_events`): the input is incomplete. */
  readonly lostEvents?: number;
}

/** What reading one record gives: a flow, or a reason to skip it. */
export type FlowRecord = ObservedFlow | SkippedRecord;

/** Whether a record is a skipped one. */
export function isSkipped(record: FlowRecord): record is SkippedRecord {
  return (record as SkippedRecord).skipped !== undefined;
}

/** `pod ns/name`, `pods ns/prefix*`, `203.0.113.7`, `node 10.0.0.1 (reserved:host)`, … (untrusted text). */
export function formatObservedEndpoint(e: ObservedEndpoint): string {
  switch (e.kind) {
    case 'pod': return `pod ${e.namespace}/${e.name}`;
    case 'pods': return `pods ${e.namespace}/${e.namePrefix}*`;
    case 'address': return e.identity === 'world' ? e.ip : `${e.ip} (${e.identity === 'kube-apiserver' ? 'reserved:kube-apiserver' : 'identity unknown'})`;
    case 'node': return `node ${e.ip ?? '(no address)'} (reserved:${e.identity})`;
    case 'network': return e.scope === 'public' ? 'public network (Calico pub)' : 'private network (Calico pvt)';
    case 'other': return e.label;
  }
}
