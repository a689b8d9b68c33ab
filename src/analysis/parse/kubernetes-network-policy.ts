import { childPath, FieldReader, indexPath, quoteHint } from './field-reader';
import { cidrContainsCidr, tryParseCidr } from '../ip/cidr';
import { Protocol, PROTOCOLS } from '../ir/analysis-policy';
import { SourceLocation } from '../ir/policy-ref';
import { LabelSelectorRequirement } from '../ir/selector';

/** A `networking.k8s.io/v1` NetworkPolicy, validated as the API server would. */
export interface NetworkPolicyManifest {
  readonly name: string;
  readonly namespace: string;
  readonly source?: SourceLocation;
  readonly spec: NetworkPolicySpecManifest;
}

/** `spec` of a NetworkPolicy. Absent lists and empty lists are the same (JSON `omitempty`). */
export interface NetworkPolicySpecManifest {
  readonly podSelector: LabelSelectorManifest;
  /** Undefined or empty = defaulted (Ingress always, Egress if there are egress rules). */
  readonly policyTypes?: readonly ('Ingress' | 'Egress')[];
  readonly ingress?: readonly { readonly from?: readonly NetworkPolicyPeerManifest[]; readonly ports?: readonly NetworkPolicyPortManifest[] }[];
  readonly egress?: readonly { readonly to?: readonly NetworkPolicyPeerManifest[]; readonly ports?: readonly NetworkPolicyPortManifest[] }[];
}

/** A Kubernetes label selector. */
export interface LabelSelectorManifest {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/** One peer: selectors (AND when both are set), or an ipBlock alone. */
export interface NetworkPolicyPeerManifest {
  readonly podSelector?: LabelSelectorManifest;
  readonly namespaceSelector?: LabelSelectorManifest;
  readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
}

/** One port entry; `protocol` defaults to TCP, a missing `port` means every port of the protocol. */
export interface NetworkPolicyPortManifest {
  readonly protocol?: Protocol;
  readonly port?: number | string;
  readonly endPort?: number;
}

/** Options for reading NetworkPolicies. */
export interface ReadNetworkPolicyOptions {
  /**
   * Namespace of a policy whose metadata has none (kubectl would use the current context's namespace).
   * @default 'default'
   */
  readonly defaultNamespace?: string;
}

const TOP_LEVEL_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];
const SPEC_FIELDS = ['podSelector', 'policyTypes', 'ingress', 'egress'];
const SELECTOR_FIELDS = ['matchLabels', 'matchExpressions'];
const REQUIREMENT_FIELDS = ['key', 'operator', 'values'];
const PEER_FIELDS = ['podSelector', 'namespaceSelector', 'ipBlock'];
const PORT_FIELDS = ['protocol', 'port', 'endPort'];
const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/**
 * Validates one NetworkPolicy object read from YAML, applying the API server's validation rules
 * (peers, ports, endPort, ipBlock excepts, selector operators) and rejecting unknown fields so a typo
 * cannot silently change what a policy allows. CIDRs with host bits set are accepted, as the API
 * server accepts them.
 *
 * @throws ManifestError naming the field and what was expected
 */
export function readNetworkPolicy(reader: FieldReader, value: unknown, options: ReadNetworkPolicyOptions = {}): NetworkPolicyManifest {
  const root = reader.object(value, '');
  if (root.apiVersion !== 'networking.k8s.io/v1') {
    reader.fail('apiVersion', `expected "networking.k8s.io/v1" for a NetworkPolicy, got ${JSON.stringify(root.apiVersion)}`);
  }
  reader.rejectUnknownFields(root, '', TOP_LEVEL_FIELDS);
  const metadata = reader.object(root.metadata, 'metadata');
  const name = reader.string(metadata.name, 'metadata.name');
  const namespace = reader.optionalString(metadata.namespace, 'metadata.namespace') ?? options.defaultNamespace ?? 'default';
  reader.objectDescription = `NetworkPolicy ${namespace}/${name}`;

  // The API server decodes a missing spec or podSelector as empty: every pod of the namespace.
  const spec = reader.optionalObject(root.spec, 'spec') ?? {};
  reader.rejectUnknownFields(spec, 'spec', SPEC_FIELDS);
  const podSelector = readSelector(reader, spec.podSelector, 'spec.podSelector') ?? {};

  const policyTypes = reader.list(spec.policyTypes, 'spec.policyTypes').map((type, i) => {
    const path = indexPath('spec.policyTypes', i);
    if (type !== 'Ingress' && type !== 'Egress') {
      reader.fail(path, `expected "Ingress" or "Egress", got ${JSON.stringify(type)}`);
    }
    return type as 'Ingress' | 'Egress';
  });
  if (new Set(policyTypes).size !== policyTypes.length) {
    reader.fail('spec.policyTypes', 'lists a type twice; give each of Ingress and Egress at most once');
  }

  const ingress = reader.list(spec.ingress, 'spec.ingress').map((ruleValue, i) => {
    const path = indexPath('spec.ingress', i);
    const rule = reader.optionalObject(ruleValue, path) ?? {};
    reader.rejectUnknownFields(rule, path, ['from', 'ports']);
    return {
      from: reader.list(rule.from, childPath(path, 'from')).map((peer, j) => readPeer(reader, peer, indexPath(childPath(path, 'from'), j))),
      ports: reader.list(rule.ports, childPath(path, 'ports')).map((port, j) => readPort(reader, port, indexPath(childPath(path, 'ports'), j))),
    };
  });
  const egress = reader.list(spec.egress, 'spec.egress').map((ruleValue, i) => {
    const path = indexPath('spec.egress', i);
    const rule = reader.optionalObject(ruleValue, path) ?? {};
    reader.rejectUnknownFields(rule, path, ['to', 'ports']);
    return {
      to: reader.list(rule.to, childPath(path, 'to')).map((peer, j) => readPeer(reader, peer, indexPath(childPath(path, 'to'), j))),
      ports: reader.list(rule.ports, childPath(path, 'ports')).map((port, j) => readPort(reader, port, indexPath(childPath(path, 'ports'), j))),
    };
  });

  return {
    name,
    namespace,
    source: reader.location,
    spec: { podSelector, ...(policyTypes.length > 0 ? { policyTypes } : {}), ingress, egress },
  };
}

export function readSelector(reader: FieldReader, value: unknown, path: string): LabelSelectorManifest | undefined {
  const selector = reader.optionalObject(value, path);
  if (!selector) {
    return undefined;
  }
  reader.rejectUnknownFields(selector, path, SELECTOR_FIELDS);
  const matchLabels = reader.stringMap(selector.matchLabels, childPath(path, 'matchLabels'));
  for (const [key, labelValue] of Object.entries(matchLabels)) {
    checkLabelKey(reader, key, childPath(childPath(path, 'matchLabels'), key));
    checkLabelValue(reader, labelValue, childPath(childPath(path, 'matchLabels'), key));
  }
  const matchExpressions = reader.list(selector.matchExpressions, childPath(path, 'matchExpressions')).map((entry, i) => {
    const entryPath = indexPath(childPath(path, 'matchExpressions'), i);
    const requirement = reader.object(entry, entryPath);
    reader.rejectUnknownFields(requirement, entryPath, REQUIREMENT_FIELDS);
    const key = reader.string(requirement.key, childPath(entryPath, 'key'));
    checkLabelKey(reader, key, childPath(entryPath, 'key'));
    const operator = requirement.operator;
    if (typeof operator !== 'string' || !OPERATORS.includes(operator)) {
      reader.fail(childPath(entryPath, 'operator'), `expected one of ${OPERATORS.join(', ')}, got ${JSON.stringify(operator)}`);
    }
    const values = reader.list(requirement.values, childPath(entryPath, 'values')).map((item, j) => {
      const valuePath = indexPath(childPath(entryPath, 'values'), j);
      if (typeof item !== 'string') {
        reader.fail(valuePath, `expected a string, got ${JSON.stringify(item)}${quoteHint(item)}`);
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
    return { key, operator: operator as LabelSelectorRequirement['operator'], ...(values.length > 0 ? { values } : {}) };
  });
  return {
    ...(Object.keys(matchLabels).length > 0 ? { matchLabels } : {}),
    ...(matchExpressions.length > 0 ? { matchExpressions } : {}),
  };
}

function readPeer(reader: FieldReader, value: unknown, path: string): NetworkPolicyPeerManifest {
  const peer = reader.object(value, path);
  reader.rejectUnknownFields(peer, path, PEER_FIELDS);
  const podSelector = readSelector(reader, peer.podSelector, childPath(path, 'podSelector'));
  const namespaceSelector = readSelector(reader, peer.namespaceSelector, childPath(path, 'namespaceSelector'));
  const ipBlockValue = reader.optionalObject(peer.ipBlock, childPath(path, 'ipBlock'));
  if (!podSelector && !namespaceSelector && !ipBlockValue) {
    reader.fail(path, 'must specify a peer: podSelector, namespaceSelector or ipBlock (to allow every peer, omit the whole from/to list)');
  }
  if (ipBlockValue && (podSelector || namespaceSelector)) {
    reader.fail(path, 'may not combine ipBlock with podSelector or namespaceSelector in one peer; write them as separate list items');
  }
  if (!ipBlockValue) {
    return { ...(podSelector ? { podSelector } : {}), ...(namespaceSelector ? { namespaceSelector } : {}) };
  }
  const blockPath = childPath(path, 'ipBlock');
  reader.rejectUnknownFields(ipBlockValue, blockPath, ['cidr', 'except']);
  const cidrText = reader.string(ipBlockValue.cidr, childPath(blockPath, 'cidr'));
  const cidr = tryParseCidr(cidrText);
  if (typeof cidr === 'string') {
    reader.fail(childPath(blockPath, 'cidr'), cidr);
  }
  const except = reader.list(ipBlockValue.except, childPath(blockPath, 'except')).map((item, i) => {
    const itemPath = indexPath(childPath(blockPath, 'except'), i);
    const text = reader.string(item, itemPath);
    const parsed = tryParseCidr(text);
    if (typeof parsed === 'string') {
      reader.fail(itemPath, parsed);
    }
    if (!cidrContainsCidr(cidr, parsed) || parsed.prefix <= cidr.prefix) {
      reader.fail(itemPath, `must be a strict subset of cidr ${cidrText}, got ${text}`);
    }
    return text;
  });
  return { ipBlock: { cidr: cidrText, ...(except.length > 0 ? { except } : {}) } };
}

function readPort(reader: FieldReader, value: unknown, path: string): NetworkPolicyPortManifest {
  // `{}` (or null) is a valid entry: TCP, every port.
  const port = reader.optionalObject(value, path) ?? {};
  reader.rejectUnknownFields(port, path, PORT_FIELDS);
  const protocol = port.protocol ?? 'TCP';
  if (typeof protocol !== 'string' || !PROTOCOLS.includes(protocol as Protocol)) {
    const hint = typeof protocol === 'string' && PROTOCOLS.includes(protocol.toUpperCase() as Protocol) ? ` (protocols are upper case: ${protocol.toUpperCase()})` : '';
    reader.fail(childPath(path, 'protocol'), `expected one of ${PROTOCOLS.join(', ')}, got ${JSON.stringify(protocol)}${hint}`);
  }
  let portValue: number | string | undefined;
  if (port.port !== undefined && port.port !== null) {
    if (typeof port.port === 'string') {
      checkPortName(reader, port.port, childPath(path, 'port'));
      portValue = port.port;
    } else {
      portValue = reader.integer(port.port, childPath(path, 'port'), 1, 65535);
    }
  }
  let endPort: number | undefined;
  if (port.endPort !== undefined && port.endPort !== null) {
    endPort = reader.integer(port.endPort, childPath(path, 'endPort'), 1, 65535);
    if (portValue === undefined) {
      reader.fail(childPath(path, 'endPort'), 'may only be set together with a numeric port (the start of the range)');
    }
    if (typeof portValue === 'string') {
      reader.fail(childPath(path, 'endPort'), `may not be used with the named port ${JSON.stringify(portValue)}; give the range as numbers`);
    }
    if (endPort < portValue) {
      reader.fail(childPath(path, 'endPort'), `must be greater than or equal to port ${portValue}, got ${endPort}`);
    }
  }
  return {
    protocol: protocol as Protocol,
    ...(portValue === undefined ? {} : { port: portValue }),
    ...(endPort === undefined ? {} : { endPort }),
  };
}

/** IANA_SVC_NAME, as the API server checks named ports. */
function checkPortName(reader: FieldReader, name: string, path: string): void {
  if (/^\d+$/.test(name)) {
    reader.fail(path, `expected a port number or a port name, got the string "${name}"; write ${name} without quotes`);
  }
  if (name.length > 15 || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name) || name.includes('--') || !/[a-z]/.test(name)) {
    reader.fail(path, `expected a port name of at most 15 lower-case letters, digits and single dashes, with at least one letter, got ${JSON.stringify(name)}`);
  }
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkLabelKey(reader: FieldReader, key: string, path: string): void {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefixOk = prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix));
  if (!prefixOk || name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    reader.fail(path, `expected a label key such as "app" or "example.com/tier" (name of at most 63 letters, digits, "-", "_", "."), got ${JSON.stringify(key)}`);
  }
}

function checkLabelValue(reader: FieldReader, value: string, path: string): void {
  if (value.length > 63 || (value.length > 0 && !LABEL_NAME.test(value))) {
    reader.fail(path, `expected a label value of at most 63 letters, digits, "-", "_", "." starting and ending with a letter or digit, got ${JSON.stringify(value)}`);
  }
}
