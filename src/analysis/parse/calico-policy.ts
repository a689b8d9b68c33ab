import { childPath, FieldReader, indexPath } from './field-reader';
import { CalicoSelectorNode } from '../../dialects/calico/selector-ast';
import { CalicoSelectorSyntaxError, parseCalicoSelector } from '../../dialects/calico/selector-parser';
import { Cidr, tryParseCidr } from '../ip/cidr';
import { FAMILY_BITS } from '../ip/ip-address';
import { SourceLocation } from '../ir/policy-ref';

/** The Calico policy kinds the analyzer reads. */
export type CalicoPolicyKind = 'NetworkPolicy' | 'GlobalNetworkPolicy' | 'StagedNetworkPolicy' | 'StagedGlobalNetworkPolicy';

/** Rule actions; Allow and Deny decide, Pass leaves the tier, Log only records. */
export type CalicoAction = 'Allow' | 'Deny' | 'Pass' | 'Log';

/**
 * A protocol as Calico names it, upper-cased (`TCP`, `UDP`, `SCTP`, `ICMP`, `ICMPv6` → `ICMPV6`,
 * `UDPLite` → `UDPLITE`) or as a number 1-255 other than the numbers of those names.
 */
export type CalicoProtocol = string | number;

/** A destination port: a number or inclusive range, or a container-port name. */
export type CalicoPort = { readonly kind: 'range'; readonly min: number; readonly max: number } | { readonly kind: 'name'; readonly name: string };

/** An entity rule (source or destination). Every field present must match (AND). */
export interface CalicoEntityManifest {
  readonly nets?: readonly Cidr[];
  readonly notNets?: readonly Cidr[];
  readonly selector?: CalicoSelectorNode;
  readonly notSelector?: CalicoSelectorNode;
  readonly namespaceSelector?: CalicoSelectorNode;
  readonly ports?: readonly CalicoPort[];
  readonly notPorts?: readonly CalicoPort[];
  readonly serviceAccounts?: { readonly names?: readonly string[]; readonly selector?: CalicoSelectorNode };
  readonly services?: { readonly name?: string; readonly namespace?: string };
  /** Calico Enterprise / Cloud only. */
  readonly domains?: readonly string[];
}

/** One rule, validated like the Calico API server does. */
export interface CalicoRuleManifest {
  readonly action: CalicoAction;
  readonly protocol?: CalicoProtocol;
  readonly notProtocol?: CalicoProtocol;
  readonly ipVersion?: 4 | 6;
  readonly source: CalicoEntityManifest;
  readonly destination: CalicoEntityManifest;
  readonly http?: { readonly methods?: readonly string[]; readonly paths?: readonly ({ readonly exact: string } | { readonly prefix: string })[] };
}

/** A Calico (Global)(Staged)NetworkPolicy. */
export interface CalicoPolicyManifest {
  readonly kind: CalicoPolicyKind;
  readonly name: string;
  /** Undefined for the global kinds. */
  readonly namespace?: string;
  readonly source?: SourceLocation;
  readonly tier: string;
  readonly order?: number;
  readonly selector: CalicoSelectorNode;
  /** Global kinds only; undefined = endpoints of every namespace (and host endpoints). */
  readonly namespaceSelector?: CalicoSelectorNode;
  readonly serviceAccountSelector?: CalicoSelectorNode;
  /** The effective types (Calico's defaulting applied). */
  readonly types: readonly ('Ingress' | 'Egress')[];
  readonly ingress: readonly CalicoRuleManifest[];
  readonly egress: readonly CalicoRuleManifest[];
  /** Global kinds only: the policy applies to host endpoints only (untracked or pre-DNAT). */
  readonly hostEndpointsOnly: boolean;
}

/** A projectcalico.org/v3 Tier. */
export interface CalicoTierManifest {
  readonly name: string;
  readonly source?: SourceLocation;
  /** Undefined: after every ordered tier. */
  readonly order?: number;
  readonly defaultAction: 'Deny' | 'Pass';
}

const TOP_LEVEL_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];
const POLICY_FIELDS = ['tier', 'order', 'selector', 'serviceAccountSelector', 'types', 'ingress', 'egress', 'performanceHints'];
const GLOBAL_FIELDS = [...POLICY_FIELDS, 'namespaceSelector', 'doNotTrack', 'preDNAT', 'applyOnForward'];
const RULE_FIELDS = ['action', 'protocol', 'notProtocol', 'icmp', 'notICMP', 'ipVersion', 'source', 'destination', 'http', 'metadata'];
const ENTITY_FIELDS = ['nets', 'notNets', 'selector', 'notSelector', 'namespaceSelector', 'ports', 'notPorts', 'serviceAccounts', 'services', 'domains'];
const PROTOCOL_NAMES: Readonly<Record<string, number>> = { TCP: 6, UDP: 17, ICMP: 1, ICMPV6: 58, SCTP: 132, UDPLITE: 136 };
const PORT_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const RESOURCE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Validates one Calico policy object read from YAML, as the Calico API server would: known fields
 * only, selectors that Calico's parser accepts, ports only with TCP/UDP/SCTP (or named ports), HTTP
 * matches only on Allow rules over TCP, one IP family per rule.
 *
 * @throws ManifestError naming the field and what was expected
 */
export function readCalicoPolicy(reader: FieldReader, value: unknown, defaultNamespace: string): CalicoPolicyManifest {
  const root = reader.object(value, '');
  const kind = root.kind as CalicoPolicyKind;
  if (root.apiVersion !== 'projectcalico.org/v3') {
    reader.fail('apiVersion', `expected "projectcalico.org/v3" for a Calico ${kind}, got ${JSON.stringify(root.apiVersion)} (crd.projectcalico.org/v1 is Calico's internal storage: export policies with calicoctl or kubectl get networkpolicies.projectcalico.org)`);
  }
  reader.rejectUnknownFields(root, '', TOP_LEVEL_FIELDS);
  const global = kind === 'GlobalNetworkPolicy' || kind === 'StagedGlobalNetworkPolicy';
  const staged = kind.startsWith('Staged');
  const metadata = reader.object(root.metadata, 'metadata');
  const name = reader.string(metadata.name, 'metadata.name');
  const namespace = global ? undefined : reader.optionalString(metadata.namespace, 'metadata.namespace') ?? defaultNamespace;
  if (global && metadata.namespace !== undefined && metadata.namespace !== null) {
    reader.fail('metadata.namespace', `a ${kind} is cluster-scoped; remove the namespace`);
  }
  reader.objectDescription = `${kind} ${namespace !== undefined ? `${namespace}/` : ''}${name}`;

  const spec = reader.optionalObject(root.spec, 'spec') ?? {};
  reader.rejectUnknownFields(spec, 'spec', staged ? [...(global ? GLOBAL_FIELDS : POLICY_FIELDS), 'stagedAction'] : global ? GLOBAL_FIELDS : POLICY_FIELDS);
  const tier = reader.optionalString(spec.tier, 'spec.tier') ?? 'default';
  const order = spec.order === undefined || spec.order === null ? undefined : readNumber(reader, spec.order, 'spec.order');
  const selector = readSelector(reader, spec.selector, 'spec.selector') ?? { op: 'all' };
  const namespaceSelector = global ? readSelector(reader, spec.namespaceSelector, 'spec.namespaceSelector') : undefined;
  const serviceAccountSelector = readSelector(reader, spec.serviceAccountSelector, 'spec.serviceAccountSelector');
  if (staged && spec.stagedAction !== undefined && !['Set', 'Delete', 'Learn', 'Ignore'].includes(spec.stagedAction as string)) {
    reader.fail('spec.stagedAction', `expected one of Set, Delete, Learn, Ignore, got ${JSON.stringify(spec.stagedAction)}`);
  }
  const ingress = reader.list(spec.ingress, 'spec.ingress').map((r, i) => readRule(reader, r, indexPath('spec.ingress', i)));
  const egress = reader.list(spec.egress, 'spec.egress').map((r, i) => readRule(reader, r, indexPath('spec.egress', i)));
  if (ingress.length > 1024 || egress.length > 1024) reader.fail('spec', 'has more than 1024 rules in one direction; Calico rejects it');

  const declared = reader.list(spec.types, 'spec.types').map((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') reader.fail(indexPath('spec.types', i), `expected "Ingress" or "Egress", got ${JSON.stringify(t)}`);
    return t as 'Ingress' | 'Egress';
  });
  if (new Set(declared).size !== declared.length) reader.fail('spec.types', 'lists a type twice');
  // Calico's defaulting (not Kubernetes'): egress rules only → Egress; both → both; else Ingress.
  const types: ('Ingress' | 'Egress')[] = declared.length > 0 ? declared
    : egress.length > 0 ? (ingress.length > 0 ? ['Ingress', 'Egress'] : ['Egress']) : ['Ingress'];

  const hostEndpointsOnly = global && (reader.boolean(spec.doNotTrack, 'spec.doNotTrack', false) || reader.boolean(spec.preDNAT, 'spec.preDNAT', false));
  if (global) reader.boolean(spec.applyOnForward, 'spec.applyOnForward', false);
  return {
    kind,
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    source: reader.location,
    tier,
    ...(order !== undefined ? { order } : {}),
    selector,
    ...(namespaceSelector ? { namespaceSelector } : {}),
    ...(serviceAccountSelector ? { serviceAccountSelector } : {}),
    types,
    ingress,
    egress,
    hostEndpointsOnly,
  };
}

/** Validates a projectcalico.org/v3 Tier. */
export function readCalicoTier(reader: FieldReader, value: unknown): CalicoTierManifest {
  const root = reader.object(value, '');
  if (root.apiVersion !== 'projectcalico.org/v3') reader.fail('apiVersion', `expected "projectcalico.org/v3" for a Calico Tier, got ${JSON.stringify(root.apiVersion)}`);
  reader.rejectUnknownFields(root, '', TOP_LEVEL_FIELDS);
  const name = reader.string(reader.object(root.metadata, 'metadata').name, 'metadata.name');
  reader.objectDescription = `Tier ${name}`;
  const spec = reader.optionalObject(root.spec, 'spec') ?? {};
  reader.rejectUnknownFields(spec, 'spec', ['order', 'defaultAction']);
  const order = spec.order === undefined || spec.order === null ? undefined : readNumber(reader, spec.order, 'spec.order');
  const action = spec.defaultAction ?? 'Deny';
  if (action !== 'Deny' && action !== 'Pass') reader.fail('spec.defaultAction', `expected "Deny" or "Pass", got ${JSON.stringify(action)}`);
  const fixed: Record<string, string> = { 'default': 'Deny', 'kube-admin': 'Pass', 'kube-baseline': 'Pass' };
  if (fixed[name] !== undefined && fixed[name] !== action) reader.fail('spec.defaultAction', `the '${name}' tier must have default action '${fixed[name]}'`);
  return { name, source: reader.location, ...(order !== undefined ? { order } : {}), defaultAction: action };
}

function readNumber(reader: FieldReader, value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) reader.fail(path, `expected a number, got ${JSON.stringify(value)}`);
  return value;
}

function readSelector(reader: FieldReader, value: unknown, path: string): CalicoSelectorNode | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') reader.fail(path, `expected a selector string such as "app == 'web'", got ${JSON.stringify(value)}`);
  if (value.trim() === '') return undefined; // an empty selector is the same as none
  try {
    return parseCalicoSelector(value);
  } catch (e) {
    if (e instanceof CalicoSelectorSyntaxError) reader.fail(path, `${e.reason} in the selector ${JSON.stringify(value)}; Calico would reject it`);
    throw e;
  }
}

function readProtocol(reader: FieldReader, value: unknown, path: string): CalicoProtocol | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1 || value > 255) reader.fail(path, `expected a protocol number from 1 to 255, got ${value}`);
    const named = Object.entries(PROTOCOL_NAMES).find(([, n]) => n === value);
    return named ? named[0] : value;
  }
  if (typeof value === 'string' && PROTOCOL_NAMES[value.toUpperCase()] !== undefined) return value.toUpperCase();
  if (typeof value === 'string' && /^\d+$/.test(value)) return readProtocol(reader, Number(value), path);
  return reader.fail(path, `expected TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a number from 1 to 255, got ${JSON.stringify(value)}`);
}

function readPorts(reader: FieldReader, value: unknown, path: string): CalicoPort[] {
  return reader.list(value, path).map((p, i) => {
    const at = indexPath(path, i);
    if (typeof p === 'number') {
      if (!Number.isInteger(p) || p < 0 || p > 65535) reader.fail(at, `expected a port from 0 to 65535, got ${p}`);
      return { kind: 'range', min: p, max: p };
    }
    if (typeof p !== 'string') return reader.fail(at, `expected a port number, a "from:to" range or a port name, got ${JSON.stringify(p)}`);
    const range = /^(\d+)(?::(\d+))?$/.exec(p);
    if (range) {
      const min = Number(range[1]);
      const max = range[2] === undefined ? min : Number(range[2]);
      if (min > 65535 || max > 65535 || min > max) reader.fail(at, `expected a port range "from:to" with 0 <= from <= to <= 65535, got ${JSON.stringify(p)}`);
      return { kind: 'range', min, max };
    }
    if (p.length > 15 || !PORT_NAME.test(p) || !/[a-z]/.test(p)) reader.fail(at, `expected a port name of at most 15 lower-case letters, digits and "-", got ${JSON.stringify(p)}`);
    return { kind: 'name', name: p };
  });
}

/** A list of CIDRs as Calico reads them (`ParseCIDROrIP`): a bare address is its /32 or /128, host bits are masked. */
export function readCalicoCidrs(reader: FieldReader, value: unknown, path: string): Cidr[] {
  return reader.list(value, path).map((c, i) => {
    const at = indexPath(path, i);
    const text = reader.string(c, at);
    // Calico also takes a bare address as its /32 or /128.
    let parsed = tryParseCidr(text);
    if (typeof parsed === 'string' && !text.includes('/')) {
      const single = tryParseCidr(`${text}/${text.includes(':') ? FAMILY_BITS.IPv6 : FAMILY_BITS.IPv4}`);
      if (typeof single !== 'string') parsed = single;
    }
    if (typeof parsed === 'string') return reader.fail(at, parsed);
    return parsed;
  });
}

function readEntity(reader: FieldReader, value: unknown, path: string): CalicoEntityManifest {
  const entity = reader.optionalObject(value, path) ?? {};
  reader.rejectUnknownFields(entity, path, ENTITY_FIELDS);
  const nets = readCalicoCidrs(reader, entity.nets, childPath(path, 'nets'));
  const notNets = readCalicoCidrs(reader, entity.notNets, childPath(path, 'notNets'));
  const families = new Set([...nets, ...notNets].map(c => c.family));
  if (families.size > 1) reader.fail(path, 'mixes IPv4 and IPv6 in nets/notNets; Calico rejects a rule with both families, write one rule per family');
  const selector = readSelector(reader, entity.selector, childPath(path, 'selector'));
  const notSelector = readSelector(reader, entity.notSelector, childPath(path, 'notSelector'));
  const namespaceSelector = readSelector(reader, entity.namespaceSelector, childPath(path, 'namespaceSelector'));
  const ports = readPorts(reader, entity.ports, childPath(path, 'ports'));
  const notPorts = readPorts(reader, entity.notPorts, childPath(path, 'notPorts'));
  const sa = reader.optionalObject(entity.serviceAccounts, childPath(path, 'serviceAccounts'));
  let serviceAccounts: CalicoEntityManifest['serviceAccounts'];
  if (sa) {
    reader.rejectUnknownFields(sa, childPath(path, 'serviceAccounts'), ['names', 'selector']);
    const names = reader.list(sa.names, childPath(path, 'serviceAccounts.names')).map((n, i) => {
      const at = indexPath(childPath(path, 'serviceAccounts.names'), i);
      const text = reader.string(n, at);
      if (!RESOURCE_NAME.test(text)) reader.fail(at, `expected a service account name, got ${JSON.stringify(text)}`);
      return text;
    });
    const saSelector = readSelector(reader, sa.selector, childPath(path, 'serviceAccounts.selector'));
    serviceAccounts = { ...(names.length ? { names } : {}), ...(saSelector ? { selector: saSelector } : {}) };
  }
  const svc = reader.optionalObject(entity.services, childPath(path, 'services'));
  if (svc) reader.rejectUnknownFields(svc, childPath(path, 'services'), ['name', 'namespace']);
  if (svc && (ports.length || notPorts.length)) reader.fail(childPath(path, 'services'), 'ports and notPorts cannot be specified with services');
  const domains = reader.list(entity.domains, childPath(path, 'domains')).map((d, i) => reader.string(d, indexPath(childPath(path, 'domains'), i)));
  return {
    ...(nets.length ? { nets } : {}),
    ...(notNets.length ? { notNets } : {}),
    ...(selector ? { selector } : {}),
    ...(notSelector ? { notSelector } : {}),
    ...(namespaceSelector ? { namespaceSelector } : {}),
    ...(ports.length ? { ports } : {}),
    ...(notPorts.length ? { notPorts } : {}),
    ...(serviceAccounts ? { serviceAccounts } : {}),
    ...(svc ? { services: { name: reader.optionalString(svc.name, childPath(path, 'services.name')), namespace: reader.optionalString(svc.namespace, childPath(path, 'services.namespace')) } } : {}),
    ...(domains.length ? { domains } : {}),
  };
}

function readRule(reader: FieldReader, value: unknown, path: string): CalicoRuleManifest {
  const rule = reader.object(value, path);
  reader.rejectUnknownFields(rule, path, RULE_FIELDS);
  const action = rule.action;
  if (action !== 'Allow' && action !== 'Deny' && action !== 'Pass' && action !== 'Log') {
    reader.fail(childPath(path, 'action'), `expected Allow, Deny, Pass or Log, got ${JSON.stringify(action)}`);
  }
  const protocol = readProtocol(reader, rule.protocol, childPath(path, 'protocol'));
  const notProtocol = readProtocol(reader, rule.notProtocol, childPath(path, 'notProtocol'));
  let ipVersion: 4 | 6 | undefined;
  if (rule.ipVersion !== undefined && rule.ipVersion !== null) {
    if (rule.ipVersion !== 4 && rule.ipVersion !== 6) reader.fail(childPath(path, 'ipVersion'), `expected 4 or 6, got ${JSON.stringify(rule.ipVersion)}`);
    ipVersion = rule.ipVersion;
  }
  const isIcmp = protocol === 'ICMP' || protocol === 'ICMPV6';
  for (const field of ['icmp', 'notICMP']) {
    if (rule[field] !== undefined && rule[field] !== null && !isIcmp) reader.fail(childPath(path, field), 'is only valid with protocol ICMP or ICMPv6');
  }
  const source = readEntity(reader, rule.source, childPath(path, 'source'));
  const destination = readEntity(reader, rule.destination, childPath(path, 'destination'));
  const portProtocol = protocol === 'TCP' || protocol === 'UDP' || protocol === 'SCTP';
  for (const [entity, side] of [[source, 'source'], [destination, 'destination']] as const) {
    const numeric = [...(entity.ports ?? []), ...(entity.notPorts ?? [])].some(p => p.kind === 'range');
    const any = (entity.ports?.length ?? 0) + (entity.notPorts?.length ?? 0) > 0;
    if (any && protocol !== undefined && !portProtocol) reader.fail(childPath(path, `${side}.ports`), `ports need protocol TCP, UDP or SCTP, but the rule says ${protocol}`);
    if (numeric && protocol === undefined) reader.fail(childPath(path, 'protocol'), `numeric ${side} ports need an explicit protocol (TCP, UDP or SCTP); only a list of named ports may leave it out`);
    if (ipVersion !== undefined && [...(entity.nets ?? []), ...(entity.notNets ?? [])].some(c => c.family !== `IPv${ipVersion}`)) {
      reader.fail(childPath(path, `${side}.nets`), `does not match ipVersion ${ipVersion}`);
    }
  }
  const allNets = [source, destination].flatMap(e => [...(e.nets ?? []), ...(e.notNets ?? [])]);
  const families = new Set(allNets.map(c => c.family));
  if (families.size > 1) reader.fail(path, 'mixes IPv4 and IPv6 between source and destination nets');
  let http: CalicoRuleManifest['http'];
  const h = reader.optionalObject(rule.http, childPath(path, 'http'));
  if (h) {
    if (action !== 'Allow') reader.fail(childPath(path, 'http'), 'HTTP match is only valid on Allow rules');
    if (protocol !== undefined && protocol !== 'TCP') reader.fail(childPath(path, 'http'), 'rules with HTTP match must have protocol TCP or unset');
    reader.rejectUnknownFields(h, childPath(path, 'http'), ['methods', 'paths']);
    const methods = reader.list(h.methods, childPath(path, 'http.methods')).map((m, i) => reader.string(m, indexPath(childPath(path, 'http.methods'), i)));
    const paths = reader.list(h.paths, childPath(path, 'http.paths')).map((p, i) => {
      const at = indexPath(childPath(path, 'http.paths'), i);
      const o = reader.object(p, at);
      reader.rejectUnknownFields(o, at, ['exact', 'prefix']);
      const exact = reader.optionalString(o.exact, childPath(at, 'exact'));
      const prefix = reader.optionalString(o.prefix, childPath(at, 'prefix'));
      if ((exact === undefined) === (prefix === undefined)) reader.fail(at, 'expected exactly one of exact or prefix');
      return exact !== undefined ? { exact } : { prefix: prefix! };
    });
    http = { ...(methods.length ? { methods } : {}), ...(paths.length ? { paths } : {}) };
  }
  return {
    action: action as CalicoAction,
    ...(protocol !== undefined ? { protocol } : {}),
    ...(notProtocol !== undefined ? { notProtocol } : {}),
    ...(ipVersion ? { ipVersion } : {}),
    source,
    destination,
    ...(http ? { http } : {}),
  };
}
