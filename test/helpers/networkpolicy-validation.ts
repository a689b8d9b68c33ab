/**
 * The checks kube-apiserver runs on a networking.k8s.io/v1 NetworkPolicy in
 * Go (pkg/apis/networking/validation: ValidateNetworkPolicySpec, ...Port,
 * ...Peer, ValidateIPBlock, and apimachinery's ValidateLabelSelector). None
 * of them is in the OpenAPI document, which only says e.g. `cidr: string`,
 * `protocol: string`, `endPort: int32`.
 *
 * Stricter than the server in one place: IPs with leading zeros
 * ("010.0.0.0/8") are rejected outright (the server accepts them on legacy
 * fields, with a warning), because we never want to generate one.
 */
import * as ipaddr from 'ipaddr.js';
import { isCidr } from './k8s-ajv-vocabulary';
import { Issue, pointerSegment, qualifiedNameProblem } from './object-meta';

type Json = Record<string, any>;

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const POLICY_TYPES = ['Ingress', 'Egress'];

const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const present = (o: Json, k: string) => o[k] !== undefined && o[k] !== null;
const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

/** IANA service name, as validation.IsValidPortName checks it. */
export function portNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > 15) return 'must be no more than 15 characters';
  if (!/^[-a-z0-9]+$/.test(name)) return 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)';
  if (!/[a-z]/.test(name)) return 'must contain at least one letter (a-z)';
  if (name.includes('--')) return 'must not contain consecutive hyphens';
  if (name.startsWith('-') || name.endsWith('-')) return 'must not begin or end with a hyphen';
  return undefined;
}

const validPort = (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65535;

/** apimachinery ValidateLabelSelector (with AllowInvalidLabelValueInSelector false, as for new objects). */
export function labelSelectorIssues(sel: unknown, at: string): Issue[] {
  const issues: Issue[] = [];
  if (!isObject(sel)) return issues;
  for (const [k, v] of Object.entries(isObject(sel.matchLabels) ? sel.matchLabels : {})) {
    const p = `${at}/matchLabels/${pointerSegment(k)}`;
    const keyProblem = qualifiedNameProblem(k);
    if (keyProblem) issues.push({ pointer: p, message: `label key "${k}": ${keyProblem}` });
    if (typeof v === 'string' && (v.length > 63 || !LABEL_VALUE.test(v))) {
      issues.push({ pointer: p, message: `label value "${v}" must be at most 63 characters of [A-Za-z0-9-_.], starting and ending with an alphanumeric` });
    }
  }
  list(sel.matchExpressions).forEach((req, i) => {
    if (!isObject(req)) return;
    const p = `${at}/matchExpressions/${i}`;
    const values = list(req.values);
    if (typeof req.key === 'string') {
      const keyProblem = qualifiedNameProblem(req.key);
      if (keyProblem) issues.push({ pointer: `${p}/key`, message: `label key "${req.key}": ${keyProblem}` });
    }
    if (req.operator === 'In' || req.operator === 'NotIn') {
      if (values.length === 0) issues.push({ pointer: `${p}/values`, message: 'must be specified when `operator` is \'In\' or \'NotIn\'' });
    } else if (req.operator === 'Exists' || req.operator === 'DoesNotExist') {
      if (values.length > 0) issues.push({ pointer: `${p}/values`, message: 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\'' });
    } else {
      issues.push({ pointer: `${p}/operator`, message: `${JSON.stringify(req.operator)} is not a valid label selector operator (In, NotIn, Exists, DoesNotExist)` });
    }
    values.forEach((v, j) => {
      if (typeof v === 'string' && (v.length > 63 || !LABEL_VALUE.test(v))) {
        issues.push({ pointer: `${p}/values/${j}`, message: `label value "${v}" is not a valid label value` });
      }
    });
  });
  return issues;
}

function portIssues(port: Json, at: string): Issue[] {
  const issues: Issue[] = [];
  if (present(port, 'protocol') && !PROTOCOLS.includes(port.protocol)) {
    issues.push({ pointer: `${at}/protocol`, message: `Unsupported value ${JSON.stringify(port.protocol)}: supported values: "TCP", "UDP", "SCTP"` });
  }
  const hasEnd = present(port, 'endPort');
  if (!present(port, 'port')) {
    if (hasEnd) issues.push({ pointer: `${at}/endPort`, message: 'may not be specified when `port` is not specified' });
  } else if (typeof port.port === 'number') {
    if (!validPort(port.port)) issues.push({ pointer: `${at}/port`, message: 'must be between 1 and 65535, inclusive' });
    if (hasEnd) {
      if (port.endPort < port.port) issues.push({ pointer: `${at}/endPort`, message: 'must be greater than or equal to `port`' });
      if (!validPort(port.endPort)) issues.push({ pointer: `${at}/endPort`, message: 'must be between 1 and 65535, inclusive' });
    }
  } else if (typeof port.port === 'string') {
    if (hasEnd) issues.push({ pointer: `${at}/endPort`, message: 'may not be specified when `port` is non-numeric' });
    const problem = portNameProblem(port.port);
    if (problem) issues.push({ pointer: `${at}/port`, message: `port name ${JSON.stringify(port.port)} ${problem}` });
  }
  return issues;
}

/**
 * True when `inner` is strictly inside `outer` (Go: outer.Contains(inner.IP) &&
 * outerBits < innerBits). Masking inner's address first changes nothing when
 * innerBits > outerBits, so the unmasked address is matched.
 */
function strictSubset(inner: string, outer: string): boolean {
  const [innerAddr, innerBits] = ipaddr.parseCIDR(inner);
  const [outerAddr, outerBits] = ipaddr.parseCIDR(outer);
  return innerAddr.kind() === outerAddr.kind() && outerBits < innerBits && innerAddr.match(outerAddr, outerBits);
}

function peerIssues(peer: unknown, at: string): Issue[] {
  if (!isObject(peer)) return [];
  const issues: Issue[] = [];
  const kinds = ['podSelector', 'namespaceSelector', 'ipBlock'].filter(k => present(peer, k));
  for (const k of ['podSelector', 'namespaceSelector']) issues.push(...labelSelectorIssues(peer[k], `${at}/${k}`));
  if (kinds.length === 0) issues.push({ pointer: at, message: 'must specify a peer' });
  else if (kinds.length > 1 && kinds.includes('ipBlock')) issues.push({ pointer: at, message: 'may not specify both ipBlock and another peer' });
  const ipb = peer.ipBlock;
  if (isObject(ipb) && typeof ipb.cidr === 'string') {
    if (ipb.cidr === '') {
      issues.push({ pointer: `${at}/ipBlock/cidr`, message: 'Required value' });
    } else if (!isCidr(ipb.cidr)) {
      issues.push({ pointer: `${at}/ipBlock/cidr`, message: `${JSON.stringify(ipb.cidr)} must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)` });
    } else {
      list(ipb.except).forEach((ex, i) => {
        if (typeof ex !== 'string') return;
        const p = `${at}/ipBlock/except/${i}`;
        if (!isCidr(ex)) issues.push({ pointer: p, message: `${JSON.stringify(ex)} must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)` });
        else if (!strictSubset(ex, ipb.cidr)) issues.push({ pointer: p, message: `${JSON.stringify(ex)} must be a strict subset of \`cidr\`` });
      });
    }
  }
  return issues;
}

/** Server-side validation of a NetworkPolicy's spec; values of the wrong type are left to the schema. */
export function validateNetworkPolicySpec(obj: any): Issue[] {
  const spec = obj?.spec;
  if (!isObject(spec)) return [];
  const issues = labelSelectorIssues(spec.podSelector, '/spec/podSelector');
  for (const [dir, peers] of [['ingress', 'from'], ['egress', 'to']] as const) {
    list(spec[dir]).forEach((rule, i) => {
      if (!isObject(rule)) return;
      const at = `/spec/${dir}/${i}`;
      list(rule.ports).forEach((port, j) => { if (isObject(port)) issues.push(...portIssues(port, `${at}/ports/${j}`)); });
      list(rule[peers]).forEach((peer, j) => issues.push(...peerIssues(peer, `${at}/${peers}/${j}`)));
    });
  }
  const types = list(spec.policyTypes);
  if (types.length > POLICY_TYPES.length) {
    issues.push({ pointer: '/spec/policyTypes', message: 'may not specify more than two policyTypes' });
  } else {
    types.forEach((t, i) => {
      if (!POLICY_TYPES.includes(t as string)) {
        issues.push({ pointer: `/spec/policyTypes/${i}`, message: `Unsupported value ${JSON.stringify(t)}: supported values: "Ingress", "Egress"` });
      }
    });
  }
  return issues;
}
