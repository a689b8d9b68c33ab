import { childPath, FieldReader, indexPath } from './field-reader';
import { LabelSelectorManifest, readSelector } from './kubernetes-network-policy';
import { cidrContainsCidr, tryParseCidr } from '../ip/cidr';
import { Protocol } from '../ir/analysis-policy';
import { SourceLocation } from '../ir/policy-ref';

/**
 * The kinds of network-policy-api (policy.networking.k8s.io): ClusterNetworkPolicy (v1alpha2, and the
 * same schema as v1beta1), and the older AdminNetworkPolicy / BaselineAdminNetworkPolicy (v1alpha1).
 */
export type NetworkPolicyApiKind = 'ClusterNetworkPolicy' | 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy';

/** The API group of network-policy-api. */
export const NETWORK_POLICY_API_GROUP = 'policy.networking.k8s.io';

/** `<group>/<kind>` keys of the kinds, for the parser's reader table. */
export const NETWORK_POLICY_API_KEYS: readonly string[] = ['ClusterNetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy']
  .map((kind) => `${NETWORK_POLICY_API_GROUP}/${kind}`);

/**
 * Other projects' kinds that are also called ClusterNetworkPolicy: a different API, which must be refused
 * rather than read as network-policy-api's (`<group>/<kind>` → what it is).
 */
export const LOOKALIKE_CLUSTER_POLICIES: Readonly<Record<string, string>> = {
  'crd.antrea.io/ClusterNetworkPolicy': 'Antrea\'s own ClusterNetworkPolicy (Antrea-native policy, crd.antrea.io), not network-policy-api\'s',
  'networking.k8s.aws/ClusterNetworkPolicy': 'the AWS VPC CNI\'s ClusterNetworkPolicy (networking.k8s.aws), not network-policy-api\'s',
};

/** What a rule does with the traffic it matches (v1alpha1 `Allow` is read as `Accept`). */
export type NetworkPolicyApiAction = 'Accept' | 'Deny' | 'Pass';

/** A peer: exactly one kind of selection. */
export type NetworkPolicyApiPeer =
  | { readonly kind: 'namespaces'; readonly namespaces: LabelSelectorManifest }
  | { readonly kind: 'pods'; readonly namespaceSelector: LabelSelectorManifest; readonly podSelector: LabelSelectorManifest }
  | { readonly kind: 'networks'; readonly networks: readonly string[] }
  | { readonly kind: 'nodes'; readonly nodes: LabelSelectorManifest }
  | { readonly kind: 'domainNames'; readonly domainNames: readonly string[] };

/** A destination port condition: a number or inclusive range of a protocol, every port of it, or a container-port name. */
export type NetworkPolicyApiPort =
  | { readonly kind: 'number'; readonly protocol: Protocol; readonly port?: number; readonly endPort?: number }
  | { readonly kind: 'named'; readonly name: string };

/** One rule, in the order written (the order decides). */
export interface NetworkPolicyApiRule {
  readonly name?: string;
  readonly action: NetworkPolicyApiAction;
  readonly peers: readonly NetworkPolicyApiPeer[];
  /** Undefined = every port of every protocol. */
  readonly ports?: readonly NetworkPolicyApiPort[];
}

/** A policy of any of the three kinds, validated as its API server would, in one shape. */
export interface NetworkPolicyApiManifest {
  readonly kind: NetworkPolicyApiKind;
  readonly apiVersion: string;
  readonly name: string;
  readonly source?: SourceLocation;
  readonly tier: 'Admin' | 'Baseline';
  /** Undefined for BaselineAdminNetworkPolicy, which has no priority. */
  readonly priority?: number;
  readonly subject:
  | { readonly kind: 'namespaces'; readonly namespaces: LabelSelectorManifest }
  | { readonly kind: 'pods'; readonly namespaceSelector: LabelSelectorManifest; readonly podSelector: LabelSelectorManifest };
  readonly ingress: readonly NetworkPolicyApiRule[];
  readonly egress: readonly NetworkPolicyApiRule[];
}

/** Limits and spellings that differ between the versions. */
interface Dialect {
  readonly v1alpha1: boolean;
  readonly actions: readonly string[];
  readonly maxRules: number;
  readonly maxPeers: number;
  readonly egressPeers: readonly string[];
}

const TOP_LEVEL_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];
const DOMAIN_NAME = /^(\*\.)?([a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$/;
const PROTOCOL_KEYS: Readonly<Record<string, Protocol>> = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' };

/**
 * Validates one network-policy-api object read from YAML the way its CRD does: known fields only,
 * exactly one field where the API says so, the list limits, priorities 0-1000, port numbers and
 * ranges (start below end), CIDRs and domain names — with the experimental channel's fields
 * (`nodes`, `domainNames`, named ports) accepted, since a cluster may run that channel. A
 * BaselineAdminNetworkPolicy must be called `default`.
 *
 * @throws ManifestError naming the field and what was expected
 */
export function readNetworkPolicyApiObject(reader: FieldReader, value: unknown): NetworkPolicyApiManifest {
  const root = reader.object(value, '');
  const kind = root.kind as NetworkPolicyApiKind;
  const apiVersion = root.apiVersion;
  const expected = kind === 'ClusterNetworkPolicy' ? ['v1alpha2', 'v1beta1'] : ['v1alpha1'];
  const version = typeof apiVersion === 'string' && apiVersion.startsWith(`${NETWORK_POLICY_API_GROUP}/`) ? apiVersion.slice(NETWORK_POLICY_API_GROUP.length + 1) : '';
  if (!expected.includes(version)) {
    const hint = kind === 'ClusterNetworkPolicy' && version === 'v1alpha1'
      ? ' (v1alpha1 has AdminNetworkPolicy and BaselineAdminNetworkPolicy instead)'
      : kind !== 'ClusterNetworkPolicy' && version === 'v1alpha2' ? ` (v1alpha2 replaced ${kind} with ClusterNetworkPolicy)` : '';
    reader.fail('apiVersion', `expected ${expected.map((v) => `"${NETWORK_POLICY_API_GROUP}/${v}"`).join(' or ')} for a ${kind}, got ${JSON.stringify(apiVersion)}${hint}`);
  }
  reader.rejectUnknownFields(root, '', TOP_LEVEL_FIELDS);
  const metadata = reader.object(root.metadata, 'metadata');
  const name = reader.string(metadata.name, 'metadata.name');
  if (metadata.namespace !== undefined && metadata.namespace !== null) {
    reader.fail('metadata.namespace', `a ${kind} is cluster-scoped; remove the namespace`);
  }
  reader.objectDescription = `${kind} ${name}`;
  if (kind === 'BaselineAdminNetworkPolicy' && name !== 'default') {
    reader.fail('metadata.name', `expected "default": a cluster has at most one BaselineAdminNetworkPolicy, and its CRD only accepts that name, got ${JSON.stringify(name)}`);
  }

  const dialect: Dialect = kind === 'ClusterNetworkPolicy'
    ? { v1alpha1: false, actions: ['Accept', 'Deny', 'Pass'], maxRules: 25, maxPeers: 25, egressPeers: ['namespaces', 'pods', 'nodes', 'networks', 'domainNames'] }
    : kind === 'AdminNetworkPolicy'
      ? { v1alpha1: true, actions: ['Allow', 'Deny', 'Pass'], maxRules: 100, maxPeers: 100, egressPeers: ['namespaces', 'pods', 'nodes', 'networks', 'domainNames'] }
      : { v1alpha1: true, actions: ['Allow', 'Deny'], maxRules: 100, maxPeers: 100, egressPeers: ['namespaces', 'pods', 'nodes', 'networks'] };

  const spec = reader.object(root.spec, 'spec');
  const specFields = kind === 'ClusterNetworkPolicy' ? ['tier', 'priority', 'subject', 'ingress', 'egress']
    : kind === 'AdminNetworkPolicy' ? ['priority', 'subject', 'ingress', 'egress'] : ['subject', 'ingress', 'egress'];
  reader.rejectUnknownFields(spec, 'spec', specFields);
  let tier: 'Admin' | 'Baseline' = kind === 'BaselineAdminNetworkPolicy' ? 'Baseline' : 'Admin';
  if (kind === 'ClusterNetworkPolicy') {
    if (spec.tier !== 'Admin' && spec.tier !== 'Baseline') {
      reader.fail('spec.tier', `expected "Admin" or "Baseline", got ${JSON.stringify(spec.tier)}`);
    }
    tier = spec.tier;
  }
  const priority = kind === 'BaselineAdminNetworkPolicy' ? undefined : reader.integer(spec.priority, 'spec.priority', 0, 1000);
  const subject = readSubject(reader, spec.subject, 'spec.subject');
  const ingress = readRules(reader, spec.ingress, 'spec.ingress', 'ingress', dialect);
  const egress = readRules(reader, spec.egress, 'spec.egress', 'egress', dialect);
  return {
    kind,
    apiVersion: apiVersion as string,
    name,
    source: reader.location,
    tier,
    ...(priority === undefined ? {} : { priority }),
    subject,
    ingress,
    egress,
  };
}

/** The one field of an object that must have exactly one of `fields`. */
function exactlyOne(reader: FieldReader, object: Record<string, unknown>, path: string, fields: readonly string[]): string {
  reader.rejectUnknownFields(object, path, fields);
  const set = fields.filter((f) => object[f] !== undefined && object[f] !== null);
  if (set.length !== 1) {
    reader.fail(path, `expected exactly one of ${fields.join(', ')}, got ${set.length === 0 ? 'none' : set.join(' and ')}`);
  }
  return set[0];
}

function readSubject(reader: FieldReader, value: unknown, path: string): NetworkPolicyApiManifest['subject'] {
  const subject = reader.object(value, path);
  const field = exactlyOne(reader, subject, path, ['namespaces', 'pods']);
  if (field === 'namespaces') {
    return { kind: 'namespaces', namespaces: readSelector(reader, subject.namespaces, childPath(path, 'namespaces')) ?? {} };
  }
  return { kind: 'pods', ...readNamespacedPod(reader, subject.pods, childPath(path, 'pods')) };
}

type NamespacedPodManifest = { namespaceSelector: LabelSelectorManifest; podSelector: LabelSelectorManifest };

function readNamespacedPod(reader: FieldReader, value: unknown, path: string): NamespacedPodManifest {
  const pods = reader.object(value, path);
  reader.rejectUnknownFields(pods, path, ['namespaceSelector', 'podSelector']);
  if (pods.podSelector === undefined || pods.podSelector === null) {
    reader.fail(childPath(path, 'podSelector'), 'required field is missing; use {} for every pod of the namespaces');
  }
  return {
    namespaceSelector: readSelector(reader, pods.namespaceSelector, childPath(path, 'namespaceSelector')) ?? {},
    podSelector: readSelector(reader, pods.podSelector, childPath(path, 'podSelector')) ?? {},
  };
}

function readRules(reader: FieldReader, value: unknown, path: string, direction: 'ingress' | 'egress', dialect: Dialect): NetworkPolicyApiRule[] {
  const list = reader.list(value, path);
  if (list.length > dialect.maxRules) {
    reader.fail(path, `has ${list.length} rules; the API allows at most ${dialect.maxRules}`);
  }
  return list.map((item, i) => readRule(reader, item, indexPath(path, i), direction, dialect));
}

function readRule(reader: FieldReader, value: unknown, path: string, direction: 'ingress' | 'egress', dialect: Dialect): NetworkPolicyApiRule {
  const rule = reader.object(value, path);
  const peerField = direction === 'ingress' ? 'from' : 'to';
  const portField = dialect.v1alpha1 ? 'ports' : 'protocols';
  reader.rejectUnknownFields(rule, path, ['name', 'action', peerField, portField]);
  const name = reader.optionalString(rule.name, childPath(path, 'name'));
  if (name !== undefined && name.length > 100) {
    reader.fail(childPath(path, 'name'), `has ${name.length} characters; the API allows at most 100`);
  }
  if (typeof rule.action !== 'string' || !dialect.actions.includes(rule.action)) {
    const hint = rule.action === 'Allow' && !dialect.v1alpha1 ? ' (v1alpha2 renamed Allow to Accept)'
      : rule.action === 'Accept' && dialect.v1alpha1 ? ' (v1alpha1 calls it Allow)' : '';
    reader.fail(childPath(path, 'action'), `expected one of ${dialect.actions.join(', ')}, got ${JSON.stringify(rule.action)}${hint}`);
  }
  const action: NetworkPolicyApiAction = rule.action === 'Allow' ? 'Accept' : rule.action as NetworkPolicyApiAction;
  const peersPath = childPath(path, peerField);
  const peerValues = reader.list(rule[peerField], peersPath);
  if (peerValues.length === 0) {
    reader.fail(peersPath, `must list at least one peer (the API requires ${peerField}); to match everyone, name every namespace and every network`);
  }
  if (peerValues.length > dialect.maxPeers) {
    reader.fail(peersPath, `has ${peerValues.length} peers; the API allows at most ${dialect.maxPeers}`);
  }
  const allowed = direction === 'ingress' ? ['namespaces', 'pods'] : dialect.egressPeers;
  const peers = peerValues.map((p, j) => readPeer(reader, p, indexPath(peersPath, j), allowed, action));
  const portsPath = childPath(path, portField);
  let ports: NetworkPolicyApiPort[] | undefined;
  if (rule[portField] !== undefined && rule[portField] !== null) {
    const values = reader.list(rule[portField], portsPath);
    if (values.length === 0 || values.length > (dialect.v1alpha1 ? 100 : 25)) {
      reader.fail(portsPath, `expected 1 to ${dialect.v1alpha1 ? 100 : 25} entries (leave ${portField} out to match every port), got ${values.length}`);
    }
    ports = values.map((p, j) => (dialect.v1alpha1 ? readV1alpha1Port : readProtocol)(reader, p, indexPath(portsPath, j)));
    const named = ports.findIndex((p) => p.kind === 'named');
    const byAddress = peers.findIndex((p) => p.kind === 'networks' || p.kind === 'nodes' || p.kind === 'domainNames');
    if (named >= 0 && byAddress >= 0) {
      reader.fail(indexPath(portsPath, named), `a named port cannot be used with the ${peers[byAddress].kind} peer ${peerField}[${byAddress}]: only pods have named ports (a CEL rule of the experimental channel)`);
    }
  }
  return { ...(name === undefined ? {} : { name }), action, peers, ...(ports ? { ports } : {}) };
}

function readPeer(reader: FieldReader, value: unknown, path: string, allowed: readonly string[],
  action: NetworkPolicyApiAction): NetworkPolicyApiPeer {
  const peer = reader.object(value, path);
  const field = exactlyOne(reader, peer, path, allowed);
  const fieldPath = childPath(path, field);
  switch (field) {
    case 'namespaces':
      return { kind: 'namespaces', namespaces: readSelector(reader, peer.namespaces, fieldPath) ?? {} };
    case 'pods':
      return { kind: 'pods', ...readNamespacedPod(reader, peer.pods, fieldPath) };
    case 'nodes':
      return { kind: 'nodes', nodes: readSelector(reader, peer.nodes, fieldPath) ?? {} };
    case 'networks': {
      const networks = readSet(reader, peer.networks, fieldPath, 25, (item, itemPath) => {
        const text = reader.string(item, itemPath);
        const cidr = tryParseCidr(text);
        if (typeof cidr === 'string') reader.fail(itemPath, cidr);
        return text;
      });
      return { kind: 'networks', networks };
    }
    default: {
      if (action !== 'Accept') {
        reader.fail(fieldPath, `domainNames may only be used in Accept rules (network-policy-api DomainNames), got a ${action} rule`);
      }
      const domainNames = readSet(reader, peer.domainNames, fieldPath, 25, (item, itemPath) => {
        const text = reader.string(item, itemPath);
        if (!DOMAIN_NAME.test(text)) reader.fail(itemPath, `expected a domain name such as "example.com" or "*.example.com" ("*" only as the first label), got ${JSON.stringify(text)}`);
        return text;
      });
      return { kind: 'domainNames', domainNames };
    }
  }
}

/** A `listType=set` list of 1 to `max` unique items. */
function readSet(reader: FieldReader, value: unknown, path: string, max: number, item: (v: unknown, path: string) => string): string[] {
  const list = reader.list(value, path);
  if (list.length === 0 || list.length > max) reader.fail(path, `expected 1 to ${max} entries, got ${list.length}`);
  const out = list.map((v, i) => item(v, indexPath(path, i)));
  const twice = out.find((v, i) => out.indexOf(v) !== i);
  if (twice !== undefined) reader.fail(path, `lists ${JSON.stringify(twice)} twice; it is a set`);
  return out;
}

/** v1alpha2 `protocols[]`: exactly one of tcp, udp, sctp (with a destinationPort) or destinationNamedPort. */
function readProtocol(reader: FieldReader, value: unknown, path: string): NetworkPolicyApiPort {
  const entry = reader.object(value, path);
  const field = exactlyOne(reader, entry, path, ['tcp', 'udp', 'sctp', 'destinationNamedPort']);
  if (field === 'destinationNamedPort') {
    return { kind: 'named', name: readPortName(reader, entry.destinationNamedPort, childPath(path, field)) };
  }
  const protocolPath = childPath(path, field);
  const protocol = reader.object(entry[field], protocolPath);
  reader.rejectUnknownFields(protocol, protocolPath, ['destinationPort']);
  const portPath = childPath(protocolPath, 'destinationPort');
  if (protocol.destinationPort === undefined || protocol.destinationPort === null) {
    reader.fail(portPath, `required field is missing (the API needs at least one attribute for ${field}); to match every ${field.toUpperCase()} port, use range 1-65535`);
  }
  const port = reader.object(protocol.destinationPort, portPath);
  const which = exactlyOne(reader, port, portPath, ['number', 'range']);
  if (which === 'number') {
    return { kind: 'number', protocol: PROTOCOL_KEYS[field], port: reader.integer(port.number, childPath(portPath, 'number'), 1, 65535) };
  }
  const range = readRange(reader, port.range, childPath(portPath, 'range'), ['start', 'end']);
  return { kind: 'number', protocol: PROTOCOL_KEYS[field], port: range.start, endPort: range.end };
}

/** v1alpha1 `ports[]`: exactly one of portNumber, portRange or namedPort; the protocol defaults to TCP. */
function readV1alpha1Port(reader: FieldReader, value: unknown, path: string): NetworkPolicyApiPort {
  const entry = reader.object(value, path);
  const field = exactlyOne(reader, entry, path, ['portNumber', 'portRange', 'namedPort']);
  const fieldPath = childPath(path, field);
  if (field === 'namedPort') {
    return { kind: 'named', name: readPortName(reader, entry.namedPort, fieldPath) };
  }
  const port = reader.object(entry[field], fieldPath);
  const protocol = readV1alpha1Protocol(reader, port.protocol, childPath(fieldPath, 'protocol'));
  if (field === 'portNumber') {
    reader.rejectUnknownFields(port, fieldPath, ['protocol', 'port']);
    return { kind: 'number', protocol, port: reader.integer(port.port, childPath(fieldPath, 'port'), 1, 65535) };
  }
  const range = readRange(reader, port, fieldPath, ['protocol', 'start', 'end']);
  return { kind: 'number', protocol, port: range.start, endPort: range.end };
}

function readV1alpha1Protocol(reader: FieldReader, value: unknown, path: string): Protocol {
  const protocol = value ?? 'TCP';
  if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') {
    reader.fail(path, `expected TCP, UDP or SCTP, got ${JSON.stringify(value)}`);
  }
  return protocol;
}

/** An inclusive port range whose start is below its end (a CEL rule in v1alpha2; documented in v1alpha1). */
function readRange(reader: FieldReader, value: unknown, path: string, fields: readonly string[]): { start: number; end: number } {
  const range = reader.object(value, path);
  reader.rejectUnknownFields(range, path, fields);
  const start = reader.integer(range.start, childPath(path, 'start'), 1, 65535);
  const end = reader.integer(range.end, childPath(path, 'end'), 1, 65535);
  if (start >= end) {
    reader.fail(path, `start must be less than end (network-policy-api PortRange), got ${start}-${end}; write a single port as a number`);
  }
  return { start, end };
}

/** A container port name: any non-empty string, as the CRD says (a name no container port has matches nothing). */
function readPortName(reader: FieldReader, value: unknown, path: string): string {
  return reader.string(value, path);
}

/** True if the CIDR text parses and `inner` lies in `outer` (for lint rules). */
export function networkContains(outer: string, inner: string): boolean {
  const a = tryParseCidr(outer);
  const b = tryParseCidr(inner);
  return typeof a !== 'string' && typeof b !== 'string' && cidrContainsCidr(a, b);
}
