import {
  DROP_REASONS, FLOW_TYPES, L7_FLOW_TYPES, LOCAL_IDENTITY_SCOPE, OBSERVATION_POINTS, POLICY_DROP_REASONS, RESERVED_IDENTITIES,
  TRAFFIC_DIRECTIONS, VERDICTS,
} from './hubble-enums';
import { FlowRecord, ObservedEndpoint, ObservedFlow, ObservedProtocol, Observation, RecordedPolicy } from './observed-flow';
import { canonicalIp, isObject, RecordFields, RecordProblem, show } from './record-fields';
import { intentFromLabels } from '../ir/intent-ref';

/** Keys of a `GetFlowsResponse` / `ExportEvent` that carry no flow (api/v1/observer: node_status, lost_events, agent_event, debug_event). */
const OTHER_EVENTS = ['node_status', 'lost_events', 'agent_event', 'debug_event'];

/** Keys only a bare `Flow` has at its top level (the legacy `hubble observe -o json` output, older CLIs). */
const FLOW_KEYS = ['verdict', 'IP', 'l4', 'source', 'destination', 'Type', 'event_type', 'eventType', 'traffic_direction', 'trafficDirection'];

/** Whether a JSON object looks like a Hubble record (a response with `flow`, another event, or a bare flow). */
export function isHubbleRecord(value: Record<string, unknown>): boolean {
  return isObject(value.flow) || OTHER_EVENTS.some(k => value[k] !== undefined) || FLOW_KEYS.some(k => value[k] !== undefined);
}

/**
 * Reads one record of `hubble observe -o json` (a `GetFlowsResponse`: `{"flow": {…}, "node_name",
 * "time"}`), of `-o jsonpb`, of the Hubble exporter (`ExportEvent`, the same shape), or a bare
 * `Flow` (the legacy JSON output). Encoding as Hubble writes it: protojson with the proto field
 * names (`IP`, `l4`, `source_port`, `drop_reason_desc`), enums as names, 64-bit integers as
 * strings, zero values left out; lowerCamel names and enum numbers are read too, as
 * `hubble observe --input-file` reads them. Fields this reader does not use are ignored.
 *
 * @throws RecordProblem naming the field of a value of the wrong type
 */
export function readHubbleRecord(value: Record<string, unknown>): FlowRecord {
  const top = new RecordFields(value, '');
  const lost = top.object('lost_events');
  if (lost) {
    return { skipped: 'Hubble lost events (lost_events)', lostEvents: lost.integer('num_events_lost', 0, Number.MAX_SAFE_INTEGER) ?? 0 };
  }
  if (OTHER_EVENTS.some(k => top.raw(k) !== undefined)) return { skipped: 'not a flow (node_status, agent_event or debug_event)' };
  const flow = top.object('flow') ?? new RecordFields(value, '');
  return readFlow(flow);
}

function readFlow(f: RecordFields): FlowRecord {
  const type = f.enumName('Type', FLOW_TYPES);
  if (type === 'SOCK') return { skipped: 'socket translation trace (Type SOCK): no policy verdict' };
  const l7 = f.object('l7');
  const l7Type = l7?.enumName('type', L7_FLOW_TYPES);
  if (f.boolean('is_reply') === true || (f.boolean('is_reply') === undefined && f.boolean('reply') === true) || l7Type === 'RESPONSE') {
    return { skipped: 'reply (is_reply, or an L7 response): the request decides the connection' };
  }
  if (l7 && l7Type === 'SAMPLE') return { skipped: 'L7 sample record' };
  const eventType = f.object('event_type')?.integer('type', 0, 255);
  if (eventType === 2 || eventType === 3 || eventType === 130) return { skipped: 'debug, capture or agent event' };

  const ip = f.object('IP');
  if (!ip) return { skipped: 'no IP layer (an Ethernet-only or L7 record without addresses)' };
  const sourceIp = required(ip, 'source');
  const destinationIp = required(ip, 'destination');
  const l4 = f.object('l4');
  if (!l4) return { skipped: 'no L4 layer' };
  const { protocol, port } = readLayer4(l4);

  const http = l7?.object('http');
  const request = http ? { method: required(http, 'method'), path: urlPath(required(http, 'url'), http.fieldPath('url')) } : undefined;
  const observation = readObservation(f, type === 'L7' || l7 !== undefined, eventType);
  const recordedBy = [
    ...f.objects('egress_allowed_by'), ...f.objects('ingress_allowed_by'), ...f.objects('egress_denied_by'), ...f.objects('ingress_denied_by'),
  ].map(readPolicy);
  const out: ObservedFlow = {
    source: readEndpoint(f.object('source'), canonicalIp(sourceIp, ip.fieldPath('source'))),
    destination: readEndpoint(f.object('destination'), canonicalIp(destinationIp, ip.fieldPath('destination'))),
    protocol,
    ...(port !== undefined ? { port } : {}),
    ...(request ? { http: request } : {}),
    observation,
    ...(recordedBy.length ? { recordedBy } : {}),
  };
  return out;
}

function required(f: RecordFields, name: string): string {
  const v = f.string(name);
  if (v === undefined || v === '') throw new RecordProblem(f.fieldPath(name), 'is missing; Hubble writes it on every flow with this layer');
  return v;
}

/** The `oneof protocol` of `Layer4`: exactly one of TCP, UDP, SCTP, ICMPv4, ICMPv6. */
function readLayer4(l4: RecordFields): { protocol: ObservedProtocol; port?: number } {
  const present = (['TCP', 'UDP', 'SCTP', 'ICMPv4', 'ICMPv6'] as const).filter(k => l4.raw(k) !== undefined && l4.raw(k) !== null);
  if (present.length !== 1) {
    throw new RecordProblem(l4.path, `expected exactly one of TCP, UDP, SCTP, ICMPv4, ICMPv6 (a oneof), got ${present.length ? present.join(' and ') : 'none'}`);
  }
  const protocol = present[0];
  if (protocol === 'ICMPv4' || protocol === 'ICMPv6') {
    l4.object(protocol);
    return { protocol };
  }
  const layer = l4.object(protocol)!;
  // protojson leaves zero out: a missing destination_port is port 0, which no TCP, UDP or SCTP connection has.
  const port = layer.integer('destination_port', 0, 65535) ?? 0;
  if (port === 0) throw new RecordProblem(layer.fieldPath('destination_port'), `is missing or 0; a ${protocol} flow has a destination port from 1 to 65535`);
  return { protocol, port };
}

/** The path of an HTTP URL as Envoy logs it (`http://host:port/p?q`), query string included, as the analyzer matches it. */
function urlPath(url: string, field: string): string {
  if (url.startsWith('/')) return url;
  try {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    throw new RecordProblem(field, `expected an HTTP URL such as http://backend:8080/api/v1/orders or a path, got ${show(url)}`);
  }
}

/**
 * What the record says was decided. Only records that are a policy's decision count:
 * - DROPPED with `POLICY_DENIED` or `POLICY_DENY`, and L7 records DROPPED by the proxy: denied;
 *   AUDIT: a policy in audit mode would have denied it; other drops and ERROR: not a policy's decision;
 * - FORWARDED or REDIRECTED policy verdicts (event type 5): allowed in their direction (an ingress
 *   verdict is taken at the destination, after the source's egress); trace records delivered to the
 *   destination endpoint (`TO_ENDPOINT`): the whole connection; traces leaving the source at egress
 *   (`TO_STACK`, `TO_OVERLAY`, `TO_NETWORK`, `TO_HOST`): its egress; L7 requests the proxy forwarded:
 *   in their direction;
 * - everything else (TRACED, TRANSLATED, traces from an endpoint or to the proxy): nothing.
 */
function readObservation(f: RecordFields, l7: boolean, eventType: number | undefined): Observation {
  const verdict = f.enumName('verdict', VERDICTS) ?? 'VERDICT_UNKNOWN';
  const direction = f.enumName('traffic_direction', TRAFFIC_DIRECTIONS);
  const dir = direction === 'INGRESS' ? 'ingress' as const : direction === 'EGRESS' ? 'egress' as const : undefined;
  switch (verdict) {
    case 'DROPPED': {
      if (l7) return { kind: 'denied', ...(dir ? { direction: dir } : {}), audit: false, reason: 'L7 policy (the proxy denied the request)' };
      const reason = f.enumName('drop_reason_desc', DROP_REASONS) ?? DROP_REASONS.get(f.integer('drop_reason', 0, 0xffffffff) ?? 0) ?? 'DROP_REASON_UNKNOWN';
      return POLICY_DROP_REASONS.has(reason)
        ? { kind: 'denied', ...(dir ? { direction: dir } : {}), audit: false, reason }
        : { kind: 'dropped', reason };
    }
    case 'AUDIT':
      return { kind: 'denied', ...(dir ? { direction: dir } : {}), audit: true, reason: 'policy audit mode (would have been dropped)' };
    case 'ERROR':
      return { kind: 'dropped', reason: 'ERROR (processing error)' };
    case 'FORWARDED':
    case 'REDIRECTED': {
      if (l7 || eventType === 5) {
        if (dir === 'ingress') return { kind: 'allowed', scope: 'connection' };
        return dir === 'egress' ? { kind: 'allowed', scope: 'egress' } : { kind: 'none' };
      }
      const point = f.enumName('trace_observation_point', OBSERVATION_POINTS);
      if (point === 'TO_ENDPOINT') return { kind: 'allowed', scope: 'connection' };
      if (dir === 'egress' && (point === 'TO_STACK' || point === 'TO_OVERLAY' || point === 'TO_NETWORK' || point === 'TO_HOST')) {
        return { kind: 'allowed', scope: 'egress' };
      }
      return { kind: 'none' };
    }
    default:
      return { kind: 'none' };
  }
}

/**
 * An endpoint as Hubble names it: a pod (namespace and `pod_name`), else by its identity — the
 * reserved labels (`reserved:host`, …) or the reserved numbers, CIDR identities (`cidr:…` labels,
 * identities from 2^24 on) — with the address of the IP layer.
 */
function readEndpoint(e: RecordFields | undefined, ip: string): ObservedEndpoint {
  const namespace = e?.string('namespace');
  const pod = e?.string('pod_name');
  if (namespace && pod) return { kind: 'pod', namespace, name: pod, ip };
  const labels = e?.strings('labels') ?? [];
  const identity = e?.integer('identity', 0, 0xffffffff) ?? 0;
  const reserved = new Set(labels.filter(l => l.startsWith('reserved:')).map(l => l.slice('reserved:'.length)));
  const named = RESERVED_IDENTITIES.get(identity);
  if (named) reserved.add(named);
  if (reserved.has('kube-apiserver')) return { kind: 'address', ip, identity: 'kube-apiserver' };
  if (reserved.has('host')) return { kind: 'node', ip, identity: 'host' };
  if (reserved.has('remote-node')) return { kind: 'node', ip, identity: 'remote-node' };
  if (reserved.has('world') || reserved.has('world-ipv4') || reserved.has('world-ipv6') || identity >= LOCAL_IDENTITY_SCOPE
    || labels.some(l => l.startsWith('cidr:') || l.startsWith('fqdn:'))) {
    return { kind: 'address', ip, identity: 'world' };
  }
  const other = [...reserved].find(r => ['health', 'init', 'unmanaged', 'ingress'].includes(r));
  if (other) {
    return { kind: 'other', label: `reserved:${other} (${ip})`, reason: `Cilium's own ${other} endpoint, which the cluster model has no counterpart for` };
  }
  return { kind: 'address', ip, identity: 'unknown' };
}

/** A `Policy` of `*_allowed_by` / `*_denied_by`: name, namespace, kind, and the rule's labels (with the intent). */
function readPolicy(p: RecordFields): RecordedPolicy {
  const name = p.string('name') ?? '';
  const namespace = p.string('namespace');
  const labels = p.strings('labels');
  // Older agents leave `kind` out; the rule's labels say what the rule was derived from.
  const derived = labels.find(l => l.startsWith('k8s:io.cilium.k8s.policy.derived-from='))?.split('=')[1];
  const kind = p.string('kind') || derived;
  const intent = intentFromLabels(labels);
  return { name, ...(namespace ? { namespace } : {}), ...(kind ? { kind } : {}), ...(intent ? { intent } : {}) };
}
