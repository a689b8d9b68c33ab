import { FlowRecord, ObservedEndpoint, ObservedFlow, ObservedProtocol, Observation, RecordedPolicy } from './observed-flow';
import { canonicalIp, isObject, RecordFields, RecordProblem, show } from './record-fields';

/**
 * Calico's flow logs in the three shapes a user can export as JSON:
 *
 * - **Whisker** (Calico Open Source 3.30+, `GET /api/v1/flows` of whisker-backend): `FlowResponse`
 *   items (`{"items": [...]}`, one per line, or a `watch` stream of `data: {...}` lines), with
 *   `action` "Allow"/"Deny"/"Pass", `reporter` "Src"/"Dst", `source_name`, `source_namespace`,
 *   `dest_name`, `dest_namespace`, `protocol`, `dest_port`, `policies.enforced[]`
 *   (projectcalico/calico `whisker-backend/pkg/apis/v1/flows.go`, `pkg/handlers/v1/protoconvert.go`);
 * - **Goldmane** (the flow logs API's `Flow` as its emitter pushes it: Go `encoding/json` of the
 *   proto struct, one per line): `{"Key": {source_name, source_type, dest_port, proto, reporter,
 *   action, policies: {enforced_policies: [...]}}, ...}` with enums as numbers
 *   (`goldmane/proto/api.proto`, `goldmane/pkg/emitter/emitter.go`); protojson's `key`/lowerCamel
 *   spellings and enum names are read too;
 * - **Calico Enterprise** flow logs (Elasticsearch documents): `action` allow/deny, `reporter`
 *   src/dst, `source_type` wep/hep/ns/net, `source_name_aggr`, `source_ip` (tigera docs,
 *   calico-enterprise/observability/elastic/flow/datatypes).
 *
 * No shape carries a source port; Whisker and Goldmane carry no addresses: pods are named by their
 * aggregated name (`generateName` + `*`), addresses outside every endpoint as `pub` or `pvt`.
 */
export function isCalicoRecord(value: Record<string, unknown>): boolean {
  return isObject(value.Key) || isObject(value.key) || (isObject(value.flow) && isObject((value.flow as Record<string, unknown>).key))
    || ((value.source_name !== undefined || value.source_name_aggr !== undefined || value.sourceName !== undefined) && value.reporter !== undefined);
}

const ACTIONS: ReadonlyMap<number, string> = new Map([[0, 'ActionUnspecified'], [1, 'Allow'], [2, 'Deny'], [3, 'Pass']]);
const REPORTERS: ReadonlyMap<number, string> = new Map([[0, 'ReporterUnspecified'], [1, 'Src'], [2, 'Dst']]);
const ENDPOINT_TYPES: ReadonlyMap<number, string> = new Map([[0, 'EndpointTypeUnspecified'], [1, 'WorkloadEndpoint'], [2, 'HostEndpoint'], [3, 'NetworkSet'], [4, 'Network']]);
const POLICY_KINDS: ReadonlyMap<number, string> = new Map([
  [0, 'KindUnspecified'], [1, 'CalicoNetworkPolicy'], [2, 'GlobalNetworkPolicy'], [3, 'StagedNetworkPolicy'], [4, 'StagedGlobalNetworkPolicy'],
  [5, 'StagedKubernetesNetworkPolicy'], [6, 'NetworkPolicy'], [7, 'AdminNetworkPolicy'], [8, 'BaselineAdminNetworkPolicy'], [9, 'Profile'],
  [10, 'EndOfTier'], [11, 'ClusterNetworkPolicy'],
]);

/** Goldmane's `PolicyKind` as the kind (with group) the analyzer names policies by. */
const KIND_NAMES: Readonly<Record<string, string>> = {
  CalicoNetworkPolicy: 'projectcalico.org/NetworkPolicy',
  GlobalNetworkPolicy: 'projectcalico.org/GlobalNetworkPolicy',
  StagedNetworkPolicy: 'projectcalico.org/StagedNetworkPolicy',
  StagedGlobalNetworkPolicy: 'projectcalico.org/StagedGlobalNetworkPolicy',
  StagedKubernetesNetworkPolicy: 'projectcalico.org/StagedKubernetesNetworkPolicy',
  NetworkPolicy: 'NetworkPolicy',
  ClusterNetworkPolicy: 'ClusterNetworkPolicy',
  AdminNetworkPolicy: 'AdminNetworkPolicy',
  BaselineAdminNetworkPolicy: 'BaselineAdminNetworkPolicy',
  Profile: 'Profile',
  EndOfTier: 'EndOfTier',
};

/** Reads one Calico flow log record of any of the three shapes. @throws RecordProblem naming the field */
export function readCalicoRecord(value: Record<string, unknown>): FlowRecord {
  const top = new RecordFields(value, '');
  const wrapped = top.object('flow');
  const key = top.object('Key') ?? top.object('key') ?? wrapped?.object('key') ?? wrapped?.object('Key');
  if (key) return readGoldmane(key);
  return top.raw('source_name_aggr') !== undefined || top.raw('dest_name_aggr') !== undefined ? readEnterprise(top) : readWhisker(top);
}

function readWhisker(r: RecordFields): FlowRecord {
  const source = endpoint(undefined, r.string('source_name'), r.string('source_namespace'), undefined, r.fieldPath('source_name'));
  const destination = endpoint(undefined, r.string('dest_name'), r.string('dest_namespace'), undefined, r.fieldPath('dest_name'));
  const policies = r.object('policies');
  return flow(source, destination, protocolOf(r, 'protocol'), r.integer('dest_port', 0, 65535), observation(
    r.enumName('action', ACTIONS), r.enumName('reporter', REPORTERS), r,
  ), (policies?.objects('enforced') ?? []).map(readHit), r.fieldPath('dest_port'));
}

function readGoldmane(k: RecordFields): FlowRecord {
  const source = endpoint(k.enumName('source_type', ENDPOINT_TYPES), k.string('source_name'), k.string('source_namespace'), undefined, k.fieldPath('source_name'));
  const destination = endpoint(k.enumName('dest_type', ENDPOINT_TYPES), k.string('dest_name'), k.string('dest_namespace'), undefined, k.fieldPath('dest_name'));
  const policies = k.object('policies');
  return flow(source, destination, protocolOf(k, 'proto'), k.integer('dest_port', 0, 65535), observation(
    k.enumName('action', ACTIONS), k.enumName('reporter', REPORTERS), k,
  ), (policies?.objects('enforced_policies') ?? []).map(readHit), k.fieldPath('dest_port'));
}

function readEnterprise(r: RecordFields): FlowRecord {
  const sourceIp = r.string('source_ip');
  const destIp = r.string('dest_ip');
  const source = endpoint(r.string('source_type'), r.string('source_name') && r.string('source_name') !== '-' ? r.string('source_name') : r.string('source_name_aggr'),
    r.string('source_namespace'), sourceIp ? canonicalIp(sourceIp, r.fieldPath('source_ip')) : undefined, r.fieldPath('source_name_aggr'));
  const destination = endpoint(r.string('dest_type'), r.string('dest_name') && r.string('dest_name') !== '-' ? r.string('dest_name') : r.string('dest_name_aggr'),
    r.string('dest_namespace'), destIp ? canonicalIp(destIp, r.fieldPath('dest_ip')) : undefined, r.fieldPath('dest_name_aggr'));
  const policies = r.object('policies');
  // `enforced_policies` (newer logs) lists what decided; older logs have only `all_policies`.
  const enforced = policies?.strings('enforced_policies') ?? [];
  const hits = (enforced.length ? enforced : policies?.strings('all_policies') ?? []).map(enterpriseHit);
  return flow(source, destination, protocolOf(r, 'proto'), r.integer('dest_port', 0, 65535), observation(r.string('action'), r.string('reporter'), r), hits, r.fieldPath('dest_port'));
}

function flow(source: ObservedEndpoint, destination: ObservedEndpoint, protocol: ObservedProtocol, port: number | undefined,
  observed: Observation, recordedBy: RecordedPolicy[], portField: string): ObservedFlow {
  const needsPort = protocol === 'TCP' || protocol === 'UDP' || protocol === 'SCTP';
  if (needsPort && (port === undefined || port === 0)) throw new RecordProblem(portField, `is missing or 0; a ${protocol} flow has a destination port from 1 to 65535`);
  return {
    source, destination, protocol, ...(needsPort ? { port } : {}), observation: observed, ...(recordedBy.length ? { recordedBy } : {}),
  };
}

/** `tcp`, `TCP`, `udp`, `sctp`, `icmp`, `icmp6`, or an IANA number (6, 17, 132, 1, 58). */
function protocolOf(r: RecordFields, name: string): ObservedProtocol {
  const raw = r.raw(name);
  const text = typeof raw === 'number' ? String(raw) : r.string(name);
  if (text === undefined || text === '') throw new RecordProblem(r.fieldPath(name), 'is missing; expected tcp, udp, sctp or icmp');
  switch (text.toLowerCase()) {
    case 'tcp': case '6': return 'TCP';
    case 'udp': case '17': return 'UDP';
    case 'sctp': case '132': return 'SCTP';
    case 'icmp': case '1': return 'ICMPv4';
    case 'icmp6': case 'icmpv6': case '58': return 'ICMPv6';
    default: return 'other';
  }
}

/**
 * Each flow log record is reported by one end: `Src` (the source's egress) or `Dst` (the
 * destination's ingress, taken after the source's egress let it out). `Allow` and `Deny` are the
 * policies' final action there; `Pass` decides nothing.
 */
function observation(action: string | undefined, reporter: string | undefined, r: RecordFields): Observation {
  const a = (action ?? '').toLowerCase();
  const rep = (reporter ?? '').toLowerCase();
  if (rep !== 'src' && rep !== 'dst') throw new RecordProblem(r.fieldPath('reporter'), `expected Src or Dst, got ${show(reporter)}`);
  if (a === 'allow') return { kind: 'allowed', scope: rep === 'src' ? 'egress' : 'connection' };
  if (a === 'deny') return { kind: 'denied', direction: rep === 'src' ? 'egress' : 'ingress', audit: false, reason: 'Calico policy Deny (or the end of a tier)' };
  if (a === 'pass' || a === '' || a === 'actionunspecified') return { kind: 'none' };
  throw new RecordProblem(r.fieldPath('action'), `expected Allow, Deny or Pass, got ${show(action)}`);
}

const NO_NAMESPACE = new Set(['', '-', 'Global']);

/**
 * An endpoint from its type (when the shape has one), name and namespace: a pod (`wep`, named or
 * aggregated as `generateName*`), an address outside every endpoint (`net`: `pub`, `pvt`, or the
 * address itself), or a host endpoint or network set, which the cluster model does not have.
 */
function endpoint(
  type: string | undefined, name: string | undefined, namespace: string | undefined, ip: string | undefined, field: string,
): ObservedEndpoint {
  const t = (type ?? '').toLowerCase();
  const n = name ?? '';
  const ns = namespace ?? '';
  if (t === 'net' || t === 'network' || ((t === '' || t === 'endpointtypeunspecified') && (n === 'pub' || n === 'pvt' || n === 'PUBLIC NETWORK' || n === 'PRIVATE NETWORK'))) {
    if (ip) return { kind: 'address', ip, identity: 'world' };
    if (n === 'pub' || n === 'PUBLIC NETWORK') return { kind: 'network', scope: 'public' };
    if (n === 'pvt' || n === 'PRIVATE NETWORK') return { kind: 'network', scope: 'private' };
    throw new RecordProblem(field, `expected pub or pvt for a network endpoint, got ${show(name)}`);
  }
  if (t === 'hep' || t === 'hostendpoint') {
    return { kind: 'other', label: `host endpoint ${n || '(unnamed)'}${ip ? ` (${ip})` : ''}`, reason: 'a Calico host endpoint (a node interface), which the cluster model does not have' };
  }
  if (t === 'ns' || t === 'networkset') {
    return ip ? { kind: 'address', ip, identity: 'world' }
      : { kind: 'other', label: `network set ${NO_NAMESPACE.has(ns) ? '' : `${ns}/`}${n}`, reason: 'a Calico network set, whose addresses the flow log does not give' };
  }
  if (n === '' || n === '-') throw new RecordProblem(field, 'is missing; expected the name of the endpoint');
  if (NO_NAMESPACE.has(ns)) {
    return { kind: 'other', label: `${n} (no namespace)`, reason: 'an endpoint without a namespace (a host endpoint or a global network set), which the cluster model does not have' };
  }
  if (n.endsWith('*')) return { kind: 'pods', namespace: ns, namePrefix: n.slice(0, -1) };
  return { kind: 'pod', namespace: ns, name: n, ...(ip ? { ip } : {}) };
}

function readHit(h: RecordFields): RecordedPolicy {
  const kindName = h.enumName('kind', POLICY_KINDS) ?? 'KindUnspecified';
  const trigger = h.object('trigger');
  // An end-of-tier hit names no policy itself: its trigger is the first policy that selected the endpoint.
  const named = kindName === 'EndOfTier' && trigger ? trigger : h;
  const kind = KIND_NAMES[named.enumName('kind', POLICY_KINDS) ?? ''] ?? named.enumName('kind', POLICY_KINDS);
  const namespace = named.string('namespace');
  const tier = h.string('tier');
  const ruleIndex = h.integer('rule_index', -2, 1_000_000);
  return {
    name: named.string('name') ?? '',
    ...(kind ? { kind } : {}),
    ...(namespace ? { namespace } : {}),
    ...(tier ? { tier } : {}),
    ...(ruleIndex !== undefined ? { ruleIndex: kindName === 'EndOfTier' ? -1 : ruleIndex } : {}),
  };
}

/**
 * A Calico Enterprise policy string `<index>|<tier>|<name>|<action>|<rule index>`, names as
 * `<tier>.<name>` (global), `<namespace>/<tier>.<name>`, `<namespace>/knp.default.<name>`
 * (Kubernetes NetworkPolicy); `staged:` for staged policies. Kept as written when it has another form.
 */
function enterpriseHit(text: string): RecordedPolicy {
  const parts = text.split('|');
  if (parts.length !== 5) return { name: text };
  const [, tier, full, , rule] = parts;
  const slash = full.indexOf('/');
  const namespace = slash >= 0 ? full.slice(0, slash) : undefined;
  const local = slash >= 0 ? full.slice(slash + 1) : full;
  const knp = local.startsWith('knp.default.');
  const name = knp ? local.slice('knp.default.'.length) : local;
  const ruleIndex = /^-?\d+$/.test(rule) ? Number(rule) : undefined;
  return {
    name,
    kind: knp ? 'NetworkPolicy' : namespace !== undefined ? 'projectcalico.org/NetworkPolicy' : 'projectcalico.org/GlobalNetworkPolicy',
    ...(namespace ? { namespace } : {}),
    tier,
    ...(ruleIndex !== undefined ? { ruleIndex } : {}),
  };
}
