import { childPath, FieldReader, indexPath } from './field-reader';
import { describeValue, isRecord } from './yaml-documents';
import { Cidr, cidrContainsCidr, tryParseCidr } from '../ip/cidr';
import { FAMILY_BITS, tryParseIpAddress } from '../ip/ip-address';
import { AnalysisInputError } from '../ir/analysis-input-error';
import { EntityName, Protocol } from '../ir/analysis-policy';
import { DnsNamePattern, dnsNamePattern } from '../ir/dns-name';
import { SourceLocation } from '../ir/policy-ref';
import { translateRe2 } from '../ir/re2-regex';

/** The Cilium policy kinds the analyzer reads. */
export type CiliumPolicyKind = 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy';

/**
 * A `cilium.io/v2` CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy, validated like the API
 * server (schema) and the Cilium agent (`Rule.Sanitize`) do. Its rules are `spec` followed by `specs`.
 */
export interface CiliumPolicyManifest {
  readonly kind: CiliumPolicyKind;
  readonly name: string;
  /** Undefined for the clusterwide kind. */
  readonly namespace?: string;
  readonly source?: SourceLocation;
  readonly rules: readonly CiliumRuleManifest[];
  /**
   * Why the Cilium agent does not enforce the object although the API server stored it (the spec
   * has no rule list); undefined when it is enforced.
   */
  readonly refusal?: string;
  /**
   * What the object's `status` says against it (a `Valid=False` condition). Status is written by the
   * cluster, not the author, and may be stale or from another agent version: the spec is evaluated,
   * and this is reported as a note.
   */
  readonly statusNote?: string;
}

/** One Cilium rule (`spec`, or an item of `specs`). */
export interface CiliumRuleManifest {
  /** `spec` or `specs[i]`, the prefix of every rule label. */
  readonly path: string;
  /** The pods the rule applies to, or `nodes` for a host policy (`nodeSelector`). */
  readonly subject: { readonly kind: 'endpoints'; readonly selector: CiliumSelectorManifest } | { readonly kind: 'nodes' };
  readonly enableDefaultDeny: { readonly ingress?: boolean; readonly egress?: boolean };
  readonly ingress: readonly CiliumTrafficRuleManifest[];
  readonly ingressDeny: readonly CiliumTrafficRuleManifest[];
  readonly egress: readonly CiliumTrafficRuleManifest[];
  readonly egressDeny: readonly CiliumTrafficRuleManifest[];
  /** `labels` (information only: Cilium reports them with the verdicts the rule decides). */
  readonly labels: readonly { readonly key: string; readonly value?: string; readonly source?: string }[];
}

/** One item of `ingress`, `ingressDeny`, `egress` or `egressDeny`. */
export interface CiliumTrafficRuleManifest {
  /** E.g. `ingress[0]`. */
  readonly path: string;
  readonly peers: CiliumPeersManifest;
  /** `toPorts`; empty when absent or empty. */
  readonly portRules: readonly CiliumPortRuleManifest[];
  /** Number of `icmps` entries (they allow ICMP only, never TCP, UDP or SCTP). */
  readonly icmpRules: number;
}

/**
 * The L3 part of a rule. Cilium accepts one peer field per rule. `none` = no peer field at all
 * (with ports: every peer; without: nothing); `empty` = a peer field present as an empty list,
 * which selects nothing (`mergeEndpointSelectors`).
 */
export type CiliumPeersManifest =
  | { readonly kind: 'none' }
  | { readonly kind: 'empty'; readonly field: string }
  | { readonly kind: 'endpoints'; readonly selectors: readonly CiliumSelectorManifest[] }
  | { readonly kind: 'entities'; readonly entities: readonly EntityName[] }
  | { readonly kind: 'cidrs'; readonly blocks: readonly { readonly cidr: Cidr; readonly except: readonly Cidr[] }[] }
  | { readonly kind: 'fqdns'; readonly patterns: readonly DnsNamePattern[] };

/** An endpoint selector: its requirements AND together. Keys are split into source and key. */
export interface CiliumSelectorManifest {
  readonly requirements: readonly CiliumRequirement[];
}

/** One requirement of an endpoint selector (`matchLabels` entries become `In` with one value). */
export interface CiliumRequirement {
  /** `k8s` for `k8s:`-prefixed keys, `any` for keys without a source prefix (they match any source). */
  readonly source: 'k8s' | 'any';
  /** The key without its source prefix. */
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values: readonly string[];
  /** True for a `matchLabels` entry (Cilium replaces a `k8s:` namespace entry in a CNP's endpointSelector). */
  readonly fromMatchLabels: boolean;
  /** Field path, for errors raised while translating. */
  readonly path: string;
}

/** One `toPorts` entry. */
export interface CiliumPortRuleManifest {
  readonly path: string;
  readonly ports: readonly CiliumPortManifest[];
  /** `rules.http`: the request must match one; undefined = no HTTP rules. */
  readonly http?: readonly CiliumHttpRuleManifest[];
  /** True when the entry has `rules.dns` (the DNS proxy; no effect on which flows are allowed). */
  readonly dns: boolean;
}

/** A port: a number (0 = every port), a range, or a container-port name (lower-cased, as Cilium does). */
export interface CiliumPortManifest {
  /** `ANY` also for an omitted protocol; VRRP and IGMP never match TCP, UDP or SCTP flows. */
  readonly protocol: Protocol | 'ANY' | 'VRRP' | 'IGMP';
  readonly port: number | string;
  readonly endPort?: number;
}

/** One `rules.http` entry: RE2 regexes, each matching the whole value; undefined = any. */
export interface CiliumHttpRuleManifest {
  readonly method?: string;
  readonly path?: string;
  readonly host?: string;
}

const TOP_LEVEL_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec', 'specs', 'status'];
const RULE_FIELDS = ['description', 'endpointSelector', 'nodeSelector', 'enableDefaultDeny', 'ingress', 'ingressDeny', 'egress', 'egressDeny', 'labels', 'log'];
const SELECTOR_FIELDS = ['matchLabels', 'matchExpressions'];
const REQUIREMENT_FIELDS = ['key', 'operator', 'values'];
const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];
const INGRESS_PEERS = ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'fromNodes', 'fromGroups', 'fromRequires'];
const EGRESS_PEERS = ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toNodes', 'toGroups', 'toRequires', 'toServices', 'toFQDNs'];
const ENTITIES: readonly EntityName[] = ['all', 'world', 'cluster', 'host', 'init', 'ingress', 'unmanaged', 'remote-node', 'health', 'none', 'kube-apiserver'];
/** Names of Cilium's reserved labels: an unprefixed selector key with one of them would also match that reserved identity. */
const RESERVED_NAMES = new Set(['host', 'world', 'world-ipv4', 'world-ipv6', 'remote-node', 'health', 'init', 'unmanaged', 'kube-apiserver', 'ingress', 'none']);
/** Cilium caps the ports of one port rule (`maxPorts`). */
const MAX_PORTS = 40;

const NOT_EVALUATED = 'which the analyzer does not evaluate';

/**
 * Reads one CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy. Unknown fields are rejected
 * (a typo must not change what a policy allows); so is everything Cilium's agent would refuse
 * (it would mark the policy Valid=False and enforce none of it), and every feature the analysis
 * cannot evaluate exactly (node and group selectors, services, Kafka and other L7 protocols, TLS
 * and listeners, header matches, mutual authentication). The one refusal that is read instead of
 * rejected is a rule without any rule list: the API server accepts it, and the analysis must show
 * that Cilium then enforces nothing (`refusal`).
 *
 * @throws ManifestError naming the field and what was expected
 */
export function readCiliumPolicy(reader: FieldReader, value: unknown, defaultNamespace: string): CiliumPolicyManifest {
  const root = reader.object(value, '');
  const kind = root.kind as CiliumPolicyKind;
  if (root.apiVersion !== 'cilium.io/v2') {
    reader.fail('apiVersion', `expected "cilium.io/v2" for a ${kind}, got ${JSON.stringify(root.apiVersion)}`);
  }
  reader.rejectUnknownFields(root, '', TOP_LEVEL_FIELDS);
  const metadata = reader.object(root.metadata, 'metadata');
  const name = reader.string(metadata.name, 'metadata.name');
  const clusterwide = kind === 'CiliumClusterwideNetworkPolicy';
  // The API server ignores a namespace on a cluster-scoped object.
  const namespace = clusterwide ? undefined : reader.optionalString(metadata.namespace, 'metadata.namespace') ?? defaultNamespace;
  reader.objectDescription = namespace === undefined ? `${kind} ${name}` : `${kind} ${namespace}/${name}`;

  const rules: CiliumRuleManifest[] = [];
  const spec = reader.optionalObject(root.spec, 'spec');
  if (spec) {
    rules.push(readRule(reader, spec, 'spec', clusterwide));
  }
  reader.list(root.specs, 'specs').forEach((item, i) => rules.push(readRule(reader, reader.object(item, indexPath('specs', i)), indexPath('specs', i), clusterwide)));

  let refusal: string | undefined;
  const ruleless = rules.find((rule) => [rule.ingress, rule.ingressDeny, rule.egress, rule.egressDeny].every((list) => list.length === 0));
  if (rules.length === 0) {
    refusal = 'it has no rules (neither spec nor specs), so Cilium refuses it (Valid=False) and enforces nothing';
  } else if (ruleless) {
    refusal = `${ruleless.path} has none of ingress, ingressDeny, egress, egressDeny (an empty list counts as none), so Cilium refuses the whole policy `
      + '(Valid=False: "rule must have at least one of Ingress, IngressDeny, Egress, EgressDeny") and enforces none of it, although the API server accepted it. '
      + 'Fix: for a default deny write ingress: [{}] / egress: [{}] (one empty rule)';
  }
  const invalid = statusInvalid(root.status);
  const statusNote = invalid === undefined ? undefined
    : `its status says Valid=False${invalid ? ` (${invalid})` : ''}: status is written by the cluster, not the author, and may be stale; the analysis evaluates the spec, `
      + 'which it validated as Cilium does — check the agent if the condition is current';
  return {
    kind,
    name,
    ...(namespace === undefined ? {} : { namespace }),
    source: reader.location,
    rules,
    ...(refusal ? { refusal } : {}),
    ...(statusNote ? { statusNote } : {}),
  };
}

/** The message of a `Valid=False` condition (empty when it has none), or undefined. Status is read leniently. */
function statusInvalid(status: unknown): string | undefined {
  if (!isRecord(status) || !Array.isArray(status.conditions)) {
    return undefined;
  }
  const condition = status.conditions.find((c) => isRecord(c) && c.type === 'Valid' && c.status === 'False');
  if (!isRecord(condition)) {
    return undefined;
  }
  return typeof condition.message === 'string' ? condition.message : '';
}

function readRule(reader: FieldReader, rule: Record<string, unknown>, path: string, clusterwide: boolean): CiliumRuleManifest {
  reader.rejectUnknownFields(rule, path, RULE_FIELDS);
  const endpointSelector = reader.optionalObject(rule.endpointSelector, childPath(path, 'endpointSelector'));
  const nodeSelector = reader.optionalObject(rule.nodeSelector, childPath(path, 'nodeSelector'));
  if (endpointSelector && nodeSelector) {
    reader.fail(path, 'sets both endpointSelector and nodeSelector; a rule selects either pods or nodes');
  }
  if (!endpointSelector && !nodeSelector) {
    reader.fail(childPath(path, 'endpointSelector'), 'required field is missing; use endpointSelector: {} to select every pod'
      + (clusterwide ? ' of the cluster' : ' of the namespace'));
  }
  if (nodeSelector && !clusterwide) {
    reader.fail(childPath(path, 'nodeSelector'), 'is only allowed in a CiliumClusterwideNetworkPolicy (host policies are cluster-wide)');
  }
  if (nodeSelector) {
    readSelector(reader, nodeSelector, childPath(path, 'nodeSelector'), true);
  }
  const subject: CiliumRuleManifest['subject'] = endpointSelector
    ? { kind: 'endpoints', selector: readSelector(reader, endpointSelector, childPath(path, 'endpointSelector')) }
    : { kind: 'nodes' };

  const defaultDenyPath = childPath(path, 'enableDefaultDeny');
  const defaultDeny = reader.optionalObject(rule.enableDefaultDeny, defaultDenyPath) ?? {};
  reader.rejectUnknownFields(defaultDeny, defaultDenyPath, ['ingress', 'egress']);
  const enableDefaultDeny = {
    ...(defaultDeny.ingress === undefined || defaultDeny.ingress === null ? {} : { ingress: reader.boolean(defaultDeny.ingress, childPath(defaultDenyPath, 'ingress'), true) }),
    ...(defaultDeny.egress === undefined || defaultDeny.egress === null ? {} : { egress: reader.boolean(defaultDeny.egress, childPath(defaultDenyPath, 'egress'), true) }),
  };
  const labels = readLabelsAndLog(reader, rule, path);
  const list = (field: 'ingress' | 'ingressDeny' | 'egress' | 'egressDeny') => reader.list(rule[field], childPath(path, field)).map((item, i) =>
    readTrafficRule(reader, item, indexPath(childPath(path, field), i), indexPath(field, i), field));
  return {
    path,
    subject,
    enableDefaultDeny,
    ingress: list('ingress'),
    ingressDeny: list('ingressDeny'),
    egress: list('egress'),
    egressDeny: list('egressDeny'),
    labels,
  };
}

/** `labels` and `log` carry metadata only; they are checked for shape, and the labels returned for explanations. */
function readLabelsAndLog(reader: FieldReader, rule: Record<string, unknown>, path: string): CiliumRuleManifest['labels'] {
  const labels = reader.list(rule.labels, childPath(path, 'labels')).map((item, i) => {
    const itemPath = indexPath(childPath(path, 'labels'), i);
    const label = reader.object(item, itemPath);
    reader.rejectUnknownFields(label, itemPath, ['key', 'value', 'source']);
    const key = reader.string(label.key, childPath(itemPath, 'key'));
    const value = reader.optionalString(label.value, childPath(itemPath, 'value'));
    const source = reader.optionalString(label.source, childPath(itemPath, 'source'));
    return { key, ...(value !== undefined ? { value } : {}), ...(source !== undefined ? { source } : {}) };
  });
  const log = reader.optionalObject(rule.log, childPath(path, 'log'));
  if (log) {
    reader.rejectUnknownFields(log, childPath(path, 'log'), ['value']);
  }
  if (rule.description !== undefined && rule.description !== null && typeof rule.description !== 'string') {
    reader.fail(childPath(path, 'description'), `expected a string, got ${describeValue(rule.description)}`);
  }
  return labels;
}

function readTrafficRule(
  reader: FieldReader, value: unknown, path: string, label: string, field: 'ingress' | 'ingressDeny' | 'egress' | 'egressDeny',
): CiliumTrafficRuleManifest {
  // `{}` (or null) is a valid rule: no peer, no port.
  const rule = reader.optionalObject(value, path) ?? {};
  const ingress = field.startsWith('ingress');
  const deny = field.endsWith('Deny');
  const peerFields = ingress ? INGRESS_PEERS : EGRESS_PEERS;
  const known = [...peerFields, 'toPorts', 'icmps', ...(deny ? [] : ['authentication'])];
  reader.rejectUnknownFields(rule, path, deny ? known.filter((f) => f !== 'toFQDNs') : known);

  for (const unsupported of ['fromNodes', 'toNodes', 'fromGroups', 'toGroups', 'toServices', 'fromRequires', 'toRequires']) {
    if (rule[unsupported] !== undefined && rule[unsupported] !== null) {
      const why = unsupported.endsWith('Requires')
        ? 'was removed in Cilium 1.19 and is not evaluated by the analyzer'
        : unsupported.endsWith('Nodes') ? `selects nodes by their labels, which the cluster model does not have (${NOT_EVALUATED})`
          : unsupported.endsWith('Groups') ? `selects cloud provider groups (${NOT_EVALUATED})`
            : `selects the endpoints of Services (${NOT_EVALUATED}); select the pods with toEndpoints`;
      reader.fail(childPath(path, unsupported), why);
    }
  }
  const authentication = reader.optionalObject(rule.authentication, childPath(path, 'authentication'));
  if (authentication) {
    reader.rejectUnknownFields(authentication, childPath(path, 'authentication'), ['mode']);
    const mode = authentication.mode;
    if (mode !== 'disabled') {
      reader.fail(childPath(childPath(path, 'authentication'), 'mode'), `${JSON.stringify(mode)}: mutual authentication, ${NOT_EVALUATED} (only "disabled" is read)`);
    }
  }

  // Which peer fields are present (an empty list counts: it selects nothing), and which have entries.
  const present = peerFields.filter((f) => rule[f] !== undefined && rule[f] !== null);
  for (const f of present) {
    reader.list(rule[f], childPath(path, f));
  }
  const filled = present.filter((f) => (rule[f] as unknown[]).length > 0);
  if (filled.length > 1) {
    reader.fail(path, `combines ${filled.join(' and ')} in one rule, which Cilium refuses ("combining … is not supported yet"; the policy would be Valid=False and not enforced). `
      + 'Fix: write one rule per peer field, with the same toPorts');
  }
  let peers: CiliumPeersManifest;
  // An empty list selects nothing — except an empty toFQDNs, which Cilium does not check for.
  const emptyField = present.find((f) => (rule[f] as unknown[]).length === 0 && f !== 'toFQDNs');
  if (emptyField) {
    peers = { kind: 'empty', field: emptyField };
  } else if (filled.length === 0) {
    peers = { kind: 'none' };
  } else {
    const f = filled[0];
    const items = rule[f] as unknown[];
    const fieldPath = childPath(path, f);
    if (f === 'fromEndpoints' || f === 'toEndpoints') {
      peers = { kind: 'endpoints', selectors: items.map((item, i) => readSelector(reader, reader.object(item, indexPath(fieldPath, i)), indexPath(fieldPath, i))) };
    } else if (f === 'fromEntities' || f === 'toEntities') {
      peers = {
        kind: 'entities',
        entities: items.map((item, i) => {
          if (typeof item !== 'string' || !ENTITIES.includes(item as EntityName)) {
            reader.fail(indexPath(fieldPath, i), `expected one of ${ENTITIES.join(', ')}, got ${describeValue(item)}`);
          }
          return item as EntityName;
        }),
      };
    } else if (f === 'fromCIDR' || f === 'toCIDR') {
      peers = { kind: 'cidrs', blocks: items.map((item, i) => ({ cidr: readCidr(reader, item, indexPath(fieldPath, i), true), except: [] })) };
    } else if (f === 'fromCIDRSet' || f === 'toCIDRSet') {
      peers = { kind: 'cidrs', blocks: items.map((item, i) => readCidrRule(reader, item, indexPath(fieldPath, i))) };
    } else {
      peers = {
        kind: 'fqdns',
        patterns: items.map((item, i) => {
          const entryPath = indexPath(fieldPath, i);
          const entry = reader.object(item, entryPath);
          reader.rejectUnknownFields(entry, entryPath, ['matchName', 'matchPattern']);
          const nameValue = reader.optionalString(entry.matchName, childPath(entryPath, 'matchName'));
          const pattern = reader.optionalString(entry.matchPattern, childPath(entryPath, 'matchPattern'));
          if ((nameValue === undefined) === (pattern === undefined)) {
            reader.fail(entryPath, 'expected exactly one of matchName and matchPattern');
          }
          const which = nameValue === undefined ? 'matchPattern' : 'matchName';
          try {
            return dnsNamePattern(which, (nameValue ?? pattern) as string);
          } catch (e) {
            if (e instanceof AnalysisInputError) reader.fail(childPath(entryPath, which), e.message);
            throw e;
          }
        }),
      };
    }
  }

  const portRules = reader.list(rule.toPorts, childPath(path, 'toPorts'))
    .map((item, i) => readPortRule(reader, item, indexPath(childPath(path, 'toPorts'), i), ingress, deny));
  const icmps = reader.list(rule.icmps, childPath(path, 'icmps'));
  icmps.forEach((item, i) => {
    const itemPath = indexPath(childPath(path, 'icmps'), i);
    const icmp = reader.object(item, itemPath);
    reader.rejectUnknownFields(icmp, itemPath, ['fields']);
    reader.list(icmp.fields, childPath(itemPath, 'fields')).forEach((fieldValue, j) => {
      const fieldPath = indexPath(childPath(itemPath, 'fields'), j);
      reader.rejectUnknownFields(reader.object(fieldValue, fieldPath), fieldPath, ['family', 'type']);
    });
  });
  if (icmps.length > 0 && portRules.length > 0) {
    reader.fail(path, 'has both toPorts and icmps, which Cilium refuses (the policy would be Valid=False and not enforced). Fix: put them in separate rules');
  }
  return { path: label, peers, portRules, icmpRules: icmps.length };
}

function readCidrRule(reader: FieldReader, value: unknown, path: string): { cidr: Cidr; except: Cidr[] } {
  const rule = reader.object(value, path);
  reader.rejectUnknownFields(rule, path, ['cidr', 'except', 'cidrGroupRef', 'cidrGroupSelector']);
  for (const group of ['cidrGroupRef', 'cidrGroupSelector']) {
    if (rule[group] !== undefined && rule[group] !== null) {
      reader.fail(childPath(path, group), `refers to CiliumCIDRGroup objects, ${NOT_EVALUATED}; list the CIDRs with cidr`);
    }
  }
  const cidr = readCidr(reader, rule.cidr, childPath(path, 'cidr'), false);
  const except = reader.list(rule.except, childPath(path, 'except')).map((item, i) => {
    const itemPath = indexPath(childPath(path, 'except'), i);
    const parsed = readCidr(reader, item, itemPath, false);
    if (parsed.family !== cidr.family || !cidrContainsCidr(cidr, parsed)) {
      reader.fail(itemPath, `must lie inside cidr ${cidr.original}, got ${parsed.original} (Cilium refuses the policy otherwise)`);
    }
    return parsed;
  });
  return { cidr, except };
}

/** A CIDR (or, where Cilium allows it, a bare address), with Go's strict IPv4 parsing. */
function readCidr(reader: FieldReader, value: unknown, path: string, bareAddressAllowed: boolean): Cidr {
  const text = reader.string(value, path);
  if (/(^|[./])0\d/.test(text.split('/')[0]) && !text.includes(':')) {
    reader.fail(path, `has an IPv4 octet with a leading zero (${JSON.stringify(text)}), which Cilium refuses; write it without leading zeros`);
  }
  let parsed = tryParseCidr(text);
  if (typeof parsed === 'string' && bareAddressAllowed && !text.includes('/')) {
    const address = tryParseIpAddress(text);
    if (typeof address !== 'string') {
      parsed = tryParseCidr(`${text}/${FAMILY_BITS[address.family]}`);
    }
  }
  if (typeof parsed === 'string') {
    reader.fail(path, parsed);
  }
  return parsed;
}

function readPortRule(reader: FieldReader, value: unknown, path: string, ingress: boolean, deny: boolean): CiliumPortRuleManifest {
  const rule = reader.object(value, path);
  reader.rejectUnknownFields(rule, path, deny ? ['ports'] : ['ports', 'rules', 'serverNames', 'terminatingTLS', 'originatingTLS', 'listener']);
  for (const tls of ['serverNames', 'terminatingTLS', 'originatingTLS', 'listener']) {
    const field = rule[tls];
    if (field !== undefined && field !== null && !(Array.isArray(field) && field.length === 0)) {
      reader.fail(childPath(path, tls), `${tls === 'listener' ? 'redirects to a custom Envoy listener' : 'matches or terminates TLS'}, ${NOT_EVALUATED}`);
    }
  }
  const portsPath = childPath(path, 'ports');
  const portValues = reader.list(rule.ports, portsPath);
  if (portValues.length === 0) {
    reader.fail(portsPath, 'lists no port; the analyzer does not guess what a port rule without ports means. Fix: list the ports, or use port "0" for every port');
  }
  if (portValues.length > MAX_PORTS) {
    reader.fail(portsPath, `lists ${portValues.length} ports; Cilium refuses more than ${MAX_PORTS} in one port rule. Fix: split them over several toPorts entries`);
  }
  const ports = portValues.map((item, i) => readPort(reader, item, indexPath(portsPath, i)));

  const rulesPath = childPath(path, 'rules');
  const l7 = reader.optionalObject(rule.rules, rulesPath);
  let http: CiliumHttpRuleManifest[] | undefined;
  let dns = false;
  if (l7) {
    reader.rejectUnknownFields(l7, rulesPath, ['http', 'dns', 'kafka', 'l7proto', 'l7']);
    for (const other of ['kafka', 'l7proto', 'l7']) {
      if (l7[other] !== undefined && l7[other] !== null) {
        reader.fail(childPath(rulesPath, other), `${other === 'kafka' ? 'Kafka' : 'proxylib (l7proto)'} rules, ${NOT_EVALUATED}`);
      }
    }
    if (l7.http !== undefined && l7.http !== null) {
      const httpPath = childPath(rulesPath, 'http');
      const entries = reader.list(l7.http, httpPath);
      if (entries.length === 0) {
        reader.fail(httpPath, 'is an empty list; Cilium versions disagree on whether that allows every request or none. Fix: write http: [{}] to allow every request, or remove rules');
      }
      http = entries.map((entry, i) => readHttpRule(reader, entry, indexPath(httpPath, i)));
      const notTcp = ports.find((p) => p.protocol !== 'TCP');
      if (notTcp) {
        reader.fail(portsPath, `has protocol ${notTcp.protocol}, but HTTP rules need TCP on every port of the port rule (Cilium refuses the policy otherwise)`);
      }
      if (ports.some((p) => p.port === 0)) {
        reader.fail(portsPath, 'has port "0" (every port), on which Cilium refuses L7 rules. Fix: list the HTTP ports');
      }
    }
    if (l7.dns !== undefined && l7.dns !== null) {
      const dnsPath = childPath(rulesPath, 'dns');
      if (ingress) {
        reader.fail(dnsPath, 'DNS rules are only allowed on egress (Cilium refuses the policy otherwise)');
      }
      if (http) {
        reader.fail(rulesPath, 'has both http and dns rules, which Cilium refuses ("multiple L7 protocol rule types")');
      }
      reader.list(l7.dns, dnsPath).forEach((entry, i) => {
        const entryPath = indexPath(dnsPath, i);
        reader.rejectUnknownFields(reader.object(entry, entryPath), entryPath, ['matchName', 'matchPattern']);
      });
      if (ports.some((p) => p.endPort !== undefined)) {
        reader.fail(portsPath, 'has a port range, which Cilium refuses for DNS rules');
      }
      dns = true;
    }
  }
  return { path, ports, ...(http ? { http } : {}), dns };
}

function readPort(reader: FieldReader, value: unknown, path: string): CiliumPortManifest {
  const entry = reader.object(value, path);
  reader.rejectUnknownFields(entry, path, ['port', 'endPort', 'protocol']);
  const protocolValue = entry.protocol ?? 'ANY';
  const protocols = ['TCP', 'UDP', 'SCTP', 'ANY', 'VRRP', 'IGMP'];
  if (typeof protocolValue !== 'string' || !protocols.includes(protocolValue)) {
    reader.fail(childPath(path, 'protocol'), `expected one of ${protocols.join(', ')} (omitted means ANY), got ${describeValue(protocolValue)}`);
  }
  const protocol = protocolValue as CiliumPortManifest['protocol'];
  const portPath = childPath(path, 'port');
  if (typeof entry.port === 'number') {
    reader.fail(portPath, `expected a string, got the number ${entry.port} (quote it: "${entry.port}")`);
  }
  const text = reader.string(entry.port, portPath);
  let port: number | string;
  if (/^\d+$/.test(text)) {
    if (/^0\d/.test(text)) {
      reader.fail(portPath, `${JSON.stringify(text)} has a leading zero, which Cilium reads as an octal number; write it without leading zeros`);
    }
    port = Number(text);
    if (port > 65535) {
      reader.fail(portPath, `expected a port from 0 to 65535 (0 = every port), got ${text}`);
    }
  } else {
    const name = text.toLowerCase();
    if (name.length > 15 || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name) || name.includes('--') || !/[a-z]/.test(name)) {
      reader.fail(portPath, `expected a port number or a port name of at most 15 letters, digits and single dashes with at least one letter, got ${JSON.stringify(text)}`);
    }
    port = name;
  }
  if ((protocol === 'VRRP' || protocol === 'IGMP') && port !== 0) {
    reader.fail(portPath, `must be "0" for protocol ${protocol}, which has no ports`);
  }
  let endPort: number | undefined;
  if (entry.endPort !== undefined && entry.endPort !== null && entry.endPort !== 0) {
    endPort = reader.integer(entry.endPort, childPath(path, 'endPort'), 1, 65535);
    if (port === 0) {
      reader.fail(childPath(path, 'endPort'), 'needs a start port; port "0" already means every port');
    }
    if (typeof port === 'number' && endPort < port) {
      reader.fail(childPath(path, 'endPort'), `must be greater than or equal to port ${port}, got ${endPort}`);
    }
    if (typeof port === 'string') {
      endPort = undefined; // Cilium ignores endPort on a named port
    }
  }
  return { protocol, port, ...(endPort === undefined || endPort === port ? {} : { endPort }) };
}

function readHttpRule(reader: FieldReader, value: unknown, path: string): CiliumHttpRuleManifest {
  // `{}` allows every request.
  const rule = reader.optionalObject(value, path) ?? {};
  reader.rejectUnknownFields(rule, path, ['method', 'path', 'host', 'headers', 'headerMatches']);
  for (const headers of ['headers', 'headerMatches']) {
    if (reader.list(rule[headers], childPath(path, headers)).length > 0) {
      reader.fail(childPath(path, headers), `header conditions, ${NOT_EVALUATED} (flows carry no headers)`);
    }
  }
  const out: { method?: string; path?: string; host?: string } = {};
  for (const field of ['method', 'path', 'host'] as const) {
    const fieldValue = rule[field];
    if (fieldValue === undefined || fieldValue === null || fieldValue === '') {
      continue; // empty = any
    }
    if (typeof fieldValue !== 'string') {
      reader.fail(childPath(path, field), `expected a regex string, got ${describeValue(fieldValue)}`);
    }
    const translation = translateRe2(fieldValue);
    if ('problem' in translation) {
      reader.fail(childPath(path, field), `the regex ${JSON.stringify(fieldValue)} ${translation.problem}`);
    }
    out[field] = fieldValue;
  }
  return out;
}

function readSelector(reader: FieldReader, selector: Record<string, unknown>, path: string, forNodes = false): CiliumSelectorManifest {
  reader.rejectUnknownFields(selector, path, SELECTOR_FIELDS);
  const requirements: CiliumRequirement[] = [];
  const labelsPath = childPath(path, 'matchLabels');
  for (const [key, labelValue] of Object.entries(reader.stringMap(selector.matchLabels, labelsPath))) {
    const keyPath = childPath(labelsPath, key);
    checkLabelValue(reader, labelValue, keyPath);
    requirements.push({ ...splitKey(reader, key, keyPath, forNodes), operator: 'In', values: [labelValue], fromMatchLabels: true, path: keyPath });
  }
  const expressionsPath = childPath(path, 'matchExpressions');
  reader.list(selector.matchExpressions, expressionsPath).forEach((entry, i) => {
    const entryPath = indexPath(expressionsPath, i);
    const requirement = reader.object(entry, entryPath);
    reader.rejectUnknownFields(requirement, entryPath, REQUIREMENT_FIELDS);
    const key = reader.string(requirement.key, childPath(entryPath, 'key'));
    const operator = requirement.operator;
    if (typeof operator !== 'string' || !OPERATORS.includes(operator)) {
      reader.fail(childPath(entryPath, 'operator'), `expected one of ${OPERATORS.join(', ')}, got ${describeValue(operator)}`);
    }
    const values = reader.list(requirement.values, childPath(entryPath, 'values')).map((item, j) => {
      const valuePath = indexPath(childPath(entryPath, 'values'), j);
      if (typeof item !== 'string') {
        reader.fail(valuePath, `expected a string, got ${describeValue(item)}`);
      }
      checkLabelValue(reader, item, valuePath);
      return item;
    });
    if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
      reader.fail(childPath(entryPath, 'values'), `operator ${operator} needs at least one value`);
    }
    if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) {
      reader.fail(childPath(entryPath, 'values'), `operator ${operator} takes no values; remove them or use In/NotIn`);
    }
    requirements.push({
      ...splitKey(reader, key, childPath(entryPath, 'key'), forNodes),
      operator: operator as CiliumRequirement['operator'],
      values,
      fromMatchLabels: false,
      path: entryPath,
    });
  });
  return { requirements };
}

/** Splits `source:key` like Cilium (`$host` is `reserved:host`); only Kubernetes labels can be evaluated. */
function splitKey(reader: FieldReader, key: string, path: string, forNodes: boolean): { source: 'k8s' | 'any'; key: string } {
  if (forNodes) {
    return { source: 'any', key };
  }
  if (key.startsWith('$') || key.startsWith('reserved:')) {
    reader.fail(path, `selects Cilium's reserved identity ${JSON.stringify(key)}; use fromEntities/toEntities for it`);
  }
  const colon = key.indexOf(':');
  if (colon < 0) {
    if (RESERVED_NAMES.has(key)) {
      reader.fail(path, `the key ${JSON.stringify(key)} without a source prefix also matches Cilium's reserved label of that name; write k8s:${key} for a pod label, or use entities`);
    }
    return { source: 'any', key };
  }
  const source = key.slice(0, colon);
  const rest = key.slice(colon + 1);
  if (source !== 'k8s' && source !== 'any') {
    reader.fail(path, `uses the label source "${source}:", ${NOT_EVALUATED}; only Kubernetes labels (k8s: or no prefix) are known to the cluster model`);
  }
  if (rest === '') {
    reader.fail(path, 'has an empty key after the source prefix');
  }
  return { source, key: rest };
}

function checkLabelValue(reader: FieldReader, value: string, path: string): void {
  if (value.length > 63 || (value.length > 0 && !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(value))) {
    reader.fail(path, `expected a label value of at most 63 letters, digits, "-", "_", "." starting and ending with a letter or digit, got ${JSON.stringify(value)}`);
  }
}
