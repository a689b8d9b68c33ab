import { childPath, FieldReader, indexPath } from './field-reader';
import { WaypointTarget } from '../ir/analysis-policy';
import { MTLS_MODES, MtlsMode } from '../ir/peer-authentication';
import { SourceLocation } from '../ir/policy-ref';

/**
 * An Istio `Source` (fields AND; values inside a field OR; a `not…` field excludes what it
 * matches). Only the fields the analyzer can evaluate.
 */
export interface IstioSourceManifest {
  readonly principals?: readonly string[];
  readonly notPrincipals?: readonly string[];
  readonly namespaces?: readonly string[];
  readonly notNamespaces?: readonly string[];
  /** `<namespace>/<account>` or `<account>` (the policy's namespace). */
  readonly serviceAccounts?: readonly string[];
  readonly notServiceAccounts?: readonly string[];
  readonly ipBlocks?: readonly string[];
  readonly notIpBlocks?: readonly string[];
}

/** The `when` keys the analyzer evaluates (istio/istio `pilot/pkg/security/authz/model/model.go`). */
export type IstioConditionKey = 'source.principal' | 'source.namespace' | 'source.serviceAccount' | 'source.ip' | 'destination.ip' | 'destination.port';

/** One `when` condition: the attribute must match one of `values` (when set) and none of `notValues` (when set). */
export interface IstioConditionManifest {
  readonly key: IstioConditionKey;
  readonly values?: readonly string[];
  readonly notValues?: readonly string[];
}

/** An Istio `Operation` (fields AND; values OR; a `not…` field excludes what it matches). */
export interface IstioOperationManifest {
  readonly ports?: readonly number[];
  readonly notPorts?: readonly number[];
  readonly methods?: readonly string[];
  readonly notMethods?: readonly string[];
  readonly paths?: readonly string[];
  readonly notPaths?: readonly string[];
}

/** One rule: one of `from` AND one of `to` AND every `when` (each absent = any). */
export interface IstioRuleManifest {
  readonly from?: readonly IstioSourceManifest[];
  readonly to?: readonly IstioOperationManifest[];
  readonly when?: readonly IstioConditionManifest[];
}

/** A validated `security.istio.io` AuthorizationPolicy (v1 or v1beta1). */
export interface IstioAuthorizationPolicyManifest {
  readonly name: string;
  readonly namespace: string;
  readonly source?: SourceLocation;
  /** `istio.io/dry-run: "true"`: evaluated and logged, never enforced. */
  readonly dryRun: boolean;
  readonly action: 'ALLOW' | 'DENY' | 'AUDIT';
  /** `selector.matchLabels`; undefined = every workload of the namespace (or of the mesh, in the root namespace). */
  readonly selector?: Readonly<Record<string, string>>;
  /** `targetRef` / `targetRefs`: a waypoint policy (undefined: a workload policy, `selector` decides). */
  readonly targets?: readonly WaypointTarget[];
  /** Absent (not empty) `rules`: for ALLOW, the policy matches nothing. */
  readonly rules: readonly IstioRuleManifest[];
}

const API_VERSIONS = ['security.istio.io/v1', 'security.istio.io/v1beta1'];
const SOURCE_FIELDS = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts', 'ipBlocks', 'notIpBlocks'];
/**
 * Why `remote.ip` / `remoteIpBlocks` are refused: Envoy's `remote_ip` is the original client
 * address taken from X-Forwarded-For or the PROXY protocol (`model.go` `attrRemoteIP`), which
 * depends on request headers a client can set and on the mesh's `numTrustedProxies`; the model
 * has neither, so it cannot tell it equals the connection's source address.
 */
const REMOTE_IP_REASON = 'it matches the original client address taken from X-Forwarded-For or the PROXY protocol (per numTrustedProxies), which the model does not have; '
  + 'use ipBlocks (the connection\'s source address) or the when key source.ip instead';
/** Source fields the analyzer cannot evaluate, and why. */
const UNSUPPORTED_SOURCE_FIELDS: Record<string, string> = {
  requestPrincipals: 'it matches the JWT of the request (RequestAuthentication), which the analyzer does not model',
  notRequestPrincipals: 'it matches the JWT of the request (RequestAuthentication), which the analyzer does not model',
  remoteIpBlocks: REMOTE_IP_REASON,
  notRemoteIpBlocks: REMOTE_IP_REASON,
  trustDomains: 'the analyzer does not evaluate trust domains yet; use principals with a suffix such as */ns/<namespace>/sa/<account> instead',
  notTrustDomains: 'the analyzer does not evaluate trust domains yet; use notPrincipals with a suffix such as */ns/<namespace>/sa/<account> instead',
};
const OPERATION_FIELDS = ['ports', 'notPorts', 'methods', 'notMethods', 'paths', 'notPaths'];
const UNSUPPORTED_OPERATION_FIELDS = ['hosts', 'notHosts'];
const CONDITION_KEYS: readonly IstioConditionKey[] = ['source.principal', 'source.namespace', 'source.serviceAccount', 'source.ip', 'destination.ip', 'destination.port'];

/** Istio's limit on `serviceAccounts` (`pkg/config/security` `CheckServiceAccount`). */
const MAX_SERVICE_ACCOUNTS = 16;

/**
 * Reads an AuthorizationPolicy, validated as Istio's webhook does for the fields read (non-empty
 * values, sources and operations; ports 0-65535; service-account format). Fields whose meaning the
 * analyzer cannot evaluate (CUSTOM actions, `when` conditions, negated identities, request
 * principals, hosts) fail with a ManifestError on the field, rather than being evaluated wrongly.
 * `targetRef(s)` are read for the kinds a waypoint honours (`readTargets`); others fail the same way.
 */
export function readIstioAuthorizationPolicy(reader: FieldReader, value: unknown, defaultNamespace: string): IstioAuthorizationPolicyManifest {
  const root = reader.object(value, '');
  if (!API_VERSIONS.includes(String(root.apiVersion))) {
    reader.fail('apiVersion', `expected one of ${API_VERSIONS.join(', ')} for an AuthorizationPolicy, got ${JSON.stringify(root.apiVersion)}`);
  }
  reader.rejectUnknownFields(root, '', ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  const metadata = reader.object(root.metadata, 'metadata');
  const name = reader.string(metadata.name, 'metadata.name');
  const namespace = reader.optionalString(metadata.namespace, 'metadata.namespace') ?? defaultNamespace;
  reader.objectDescription = `AuthorizationPolicy ${namespace}/${name}`;
  const annotations = reader.stringMap(metadata.annotations, 'metadata.annotations');
  const dryRun = (annotations['istio.io/dry-run'] ?? '').toLowerCase() === 'true';

  const spec = reader.optionalObject(root.spec, 'spec') ?? {};
  reader.rejectUnknownFields(spec, 'spec', ['action', 'provider', 'rules', 'selector', 'targetRef', 'targetRefs']);
  const targets = readTargets(reader, spec, namespace);
  const action = spec.action === undefined || spec.action === null ? 'ALLOW' : reader.string(spec.action, 'spec.action');
  if (action === 'CUSTOM') reader.fail('spec.action', 'CUSTOM delegates the decision to an external authorizer, which the analyzer cannot evaluate');
  if (action !== 'ALLOW' && action !== 'DENY' && action !== 'AUDIT') reader.fail('spec.action', `expected ALLOW, DENY, AUDIT or CUSTOM, got ${JSON.stringify(action)}`);

  let selector: Record<string, string> | undefined;
  const sel = reader.optionalObject(spec.selector, 'spec.selector');
  if (sel) {
    reader.rejectUnknownFields(sel, 'spec.selector', ['matchLabels']);
    selector = reader.stringMap(sel.matchLabels, 'spec.selector.matchLabels');
  }

  const rules = reader.list(spec.rules, 'spec.rules').map((ruleValue, i) => {
    const path = indexPath('spec.rules', i);
    const rule = reader.optionalObject(ruleValue, path) ?? {};
    reader.rejectUnknownFields(rule, path, ['from', 'to', 'when']);
    const when = rule.when === undefined || rule.when === null ? [] : reader.list(rule.when, childPath(path, 'when'))
      .map((c, j) => readCondition(reader, c, indexPath(childPath(path, 'when'), j)));
    const from = rule.from === undefined || rule.from === null ? undefined : reader.list(rule.from, childPath(path, 'from')).map((f, j) => {
      const fromPath = indexPath(childPath(path, 'from'), j);
      const entry = reader.object(f, fromPath);
      reader.rejectUnknownFields(entry, fromPath, ['source']);
      return readSource(reader, entry.source, childPath(fromPath, 'source'));
    });
    const to = rule.to === undefined || rule.to === null ? undefined : reader.list(rule.to, childPath(path, 'to')).map((t, j) => {
      const toPath = indexPath(childPath(path, 'to'), j);
      const entry = reader.object(t, toPath);
      reader.rejectUnknownFields(entry, toPath, ['operation']);
      return readOperation(reader, entry.operation, childPath(toPath, 'operation'));
    });
    // Protobuf cannot tell an empty list from an absent one: `from: []` means any source, like no `from`.
    return { ...(from?.length ? { from } : {}), ...(to?.length ? { to } : {}), ...(when.length ? { when } : {}) };
  });
  return {
    name,
    namespace,
    source: reader.location,
    dryRun,
    action,
    ...(selector && Object.keys(selector).length ? { selector } : {}),
    ...(targets ? { targets } : {}),
    rules,
  };
}

const GATEWAY_GROUP = 'gateway.networking.k8s.io';
/** The root namespace, where a GatewayClass-bound policy applies to every waypoint. */
const ROOT_NAMESPACE = 'istio-system';

/**
 * `targetRef` (one) or `targetRefs` (a list), as istiod attaches them to a waypoint
 * (`pilot/pkg/model/policyattachment.go` `ShouldAttachPolicy`, istio/istio @ 86c9f01fd735): a
 * `Service` (group `""` or `core`) or a `Gateway` (group `gateway.networking.k8s.io`) of the
 * policy's namespace, or, in the root namespace only, the `GatewayClass` `istio-waypoint`. A
 * targetRef in another namespace never matches (the CRD refuses it), nor does a GatewayClass
 * outside the root namespace: such a policy would apply nowhere, which is an error rather than
 * silence. `ServiceEntry` targets and every other kind are not modelled: an error.
 */
function readTargets(reader: FieldReader, spec: Record<string, unknown>, namespace: string): WaypointTarget[] | undefined {
  const present = (field: string) => spec[field] !== undefined && spec[field] !== null;
  if (!present('targetRef') && !present('targetRefs')) return undefined;
  for (const field of ['targetRef', 'targetRefs']) {
    if (present(field) && present('selector')) reader.fail(`spec.${field}`, 'only one of targetRefs or selector can be set (Istio refuses both)');
  }
  if (present('targetRef') && present('targetRefs')) reader.fail('spec.targetRef', 'only one of targetRef and targetRefs can be set; use targetRefs');
  const entries = present('targetRef') ? [['spec.targetRef', spec.targetRef] as const]
    : reader.list(spec.targetRefs, 'spec.targetRefs').map((value, i) => [indexPath('spec.targetRefs', i), value] as const);
  if (entries.length === 0) reader.fail('spec.targetRefs', 'expected at least one target (an empty list binds the policy to nothing)');
  return entries.map(([path, value]) => {
    const ref = reader.object(value, path);
    reader.rejectUnknownFields(ref, path, ['group', 'kind', 'name', 'namespace']);
    const group = ref.group === '' ? '' : reader.optionalString(ref.group, childPath(path, 'group')) ?? '';
    const kind = reader.string(ref.kind, childPath(path, 'kind'));
    const name = reader.string(ref.name, childPath(path, 'name'));
    const refNamespace = ref.namespace === '' ? '' : reader.optionalString(ref.namespace, childPath(path, 'namespace')) ?? '';
    if (refNamespace !== '' && refNamespace !== namespace) {
      reader.fail(childPath(path, 'namespace'), `cross namespace referencing is not supported by Istio (the policy would apply to nothing), got ${JSON.stringify(refNamespace)}; `
        + `move the policy to namespace ${refNamespace} and leave namespace out`);
    }
    if (kind === 'Service' && (group === '' || group === 'core')) return { kind, namespace, name };
    if (kind === 'Gateway' && group === GATEWAY_GROUP) return { kind, namespace, name };
    if (kind === 'GatewayClass' && group === GATEWAY_GROUP) {
      if (namespace !== ROOT_NAMESPACE || name !== 'istio-waypoint') {
        reader.fail(path, `a GatewayClass target applies only as GatewayClass istio-waypoint from the root namespace ${ROOT_NAMESPACE} (every waypoint); `
          + `got GatewayClass ${JSON.stringify(name)} in namespace ${namespace}, which istiod attaches to no waypoint; bind the policy to a Gateway or Service instead`);
      }
      return { kind, name };
    }
    if (kind === 'ServiceEntry') {
      return reader.fail(childPath(path, 'kind'), 'a policy bound to a ServiceEntry applies to mesh-external hosts through a waypoint, which the analyzer does not model; the analyzer cannot evaluate this policy');
    }
    return reader.fail(path, `expected a target of kind Service (group ""), Gateway or GatewayClass (group ${GATEWAY_GROUP}), got kind ${JSON.stringify(kind)} group ${JSON.stringify(group)}; `
      + 'the analyzer cannot evaluate this policy');
  });
}

function readSource(reader: FieldReader, value: unknown, path: string): IstioSourceManifest {
  const source = reader.optionalObject(value, path) ?? {};
  for (const [field, why] of Object.entries(UNSUPPORTED_SOURCE_FIELDS)) {
    if (source[field] !== undefined && source[field] !== null) reader.fail(childPath(path, field), `${field} cannot be evaluated by the analyzer: ${why}`);
  }
  reader.rejectUnknownFields(source, path, SOURCE_FIELDS);
  const out: Record<string, string[]> = {};
  for (const field of SOURCE_FIELDS) {
    const values = readValues(reader, source[field], childPath(path, field));
    if (values) out[field] = values;
  }
  if (Object.keys(out).length === 0) {
    reader.fail(path, 'a source must set at least one field (Istio refuses an empty `from.source`); to allow every client, leave out `from`');
  }
  const accountFields = ['serviceAccounts', 'notServiceAccounts'].filter((field) => out[field]);
  const identityField = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces'].find((field) => out[field]);
  if (accountFields.length > 0 && identityField) {
    reader.fail(childPath(path, accountFields[0]), `cannot set ${accountFields[0]} with ${identityField} (Istio refuses serviceAccounts with namespaces or principals); use principals or namespaces alone`);
  }
  for (const field of accountFields) checkServiceAccounts(reader, out[field], childPath(path, field));
  return out;
}

/** `pkg/config/security` `CheckServiceAccount`: at most 16 values, `<account>` or `<namespace>/<account>`, no wildcard, at most 320 characters. */
function checkServiceAccounts(reader: FieldReader, accounts: readonly string[], path: string): void {
  if (accounts.length > MAX_SERVICE_ACCOUNTS) reader.fail(path, `expected at most ${MAX_SERVICE_ACCOUNTS} service accounts (Istio's limit), got ${accounts.length}`);
  accounts.forEach((account, k) => {
    const parts = account.split('/');
    if (account.includes('*') || parts.length > 2 || parts.some((part) => part === '') || account.length > 320) {
      reader.fail(indexPath(path, k), `expected <account> or <namespace>/<account> without wildcards (Istio's format), got ${JSON.stringify(account)}`);
    }
  });
}

/**
 * A `when` condition, validated as Istio's webhook validates it (`pkg/config/validation`
 * `ValidateAuthorizationPolicy`, `pkg/config/security` `ValidateAttribute`): a non-empty key, at
 * least one of `values` and `notValues`, no empty value, addresses and ports well formed, service
 * accounts in Istio's format. Keys naming what the model has no value for (request headers, JWT
 * claims, remote.ip, SNI, Envoy metadata, trust domains) fail with why.
 */
function readCondition(reader: FieldReader, value: unknown, path: string): IstioConditionManifest {
  const condition = reader.object(value, path);
  reader.rejectUnknownFields(condition, path, ['key', 'values', 'notValues']);
  const key = reader.string(condition.key, childPath(path, 'key'));
  const values = readValues(reader, condition.values, childPath(path, 'values'));
  const notValues = readValues(reader, condition.notValues, childPath(path, 'notValues'));
  const keyPath = childPath(path, 'key');
  const refuse = (why: string): never => reader.fail(keyPath, `the condition on ${JSON.stringify(key)} cannot be evaluated by the analyzer: ${why}`);
  if (key.startsWith('request.headers')) {
    if (!/^request\.headers\[.+\]$/.test(key)) reader.fail(keyPath, `bad key ${JSON.stringify(key)}: expected request.headers[<header name>] (Istio's format)`);
    refuse('request headers other than the method, path and host are not part of the analyzer\'s request model');
  }
  if (key.startsWith('request.auth.')) refuse('it matches the JWT of the request (RequestAuthentication), which the analyzer does not model');
  if (key === 'remote.ip') refuse(REMOTE_IP_REASON);
  if (key === 'connection.sni') refuse('it matches the TLS server name the client sent, which the model does not have');
  if (key.startsWith('experimental.')) refuse('it matches Envoy filter metadata, which the model does not have');
  if (key === 'source.trustDomain') refuse('the analyzer does not evaluate trust domains yet; use source.principal with a suffix such as */ns/<namespace>/sa/<account> instead');
  if (key === 'destination.namespace') reader.fail(keyPath, 'attribute destination.namespace is replaced by the metadata.namespace (Istio refuses it)');
  if (key.startsWith('destination.labels')) reader.fail(keyPath, 'attribute destination.labels is replaced by the workload selector (Istio refuses it)');
  if (!(CONDITION_KEYS as readonly string[]).includes(key)) {
    reader.fail(keyPath, `unknown attribute ${JSON.stringify(key)} (Istio refuses it); expected one of ${CONDITION_KEYS.join(', ')}, or a key the analyzer cannot evaluate (request.headers[…], request.auth.…, remote.ip, connection.sni)`);
  }
  if (!values && !notValues) reader.fail(path, `at least one of values or notValues must be set for key ${key} (Istio refuses a condition with neither)`);
  for (const [field, list] of [['values', values], ['notValues', notValues]] as const) {
    if (!list) continue;
    const listPath = childPath(path, field);
    if (key === 'source.ip' || key === 'destination.ip') list.forEach((v, k) => readAddress(reader, v, indexPath(listPath, k)));
    if (key === 'destination.port') list.forEach((v, k) => readPort(reader, v, indexPath(listPath, k)));
    if (key === 'source.serviceAccount') checkServiceAccounts(reader, list, listPath);
  }
  return { key: key as IstioConditionKey, ...(values ? { values } : {}), ...(notValues ? { notValues } : {}) };
}

/** `pkg/config/security` `ValidateIPs`: an address or a CIDR prefix, as Go's `netip` parses them. */
function readAddress(reader: FieldReader, text: string, path: string): void {
  const [address, bits, ...rest] = text.split('/');
  const v4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(address);
  const v6 = !v4 && address.includes(':') && /^[0-9a-fA-F:.]+$/.test(address);
  const max = v4 ? 32 : 128;
  const bitsOk = bits === undefined || (/^(0|[1-9]\d*)$/.test(bits) && Number(bits) <= max);
  if ((!v4 && !v6) || !bitsOk || rest.length > 0) {
    reader.fail(path, `expected an IP address or a CIDR range such as 10.0.0.0/16, got ${JSON.stringify(text)}`);
  }
}

function readOperation(reader: FieldReader, value: unknown, path: string): IstioOperationManifest {
  const op = reader.optionalObject(value, path) ?? {};
  for (const field of UNSUPPORTED_OPERATION_FIELDS) {
    if (op[field] !== undefined) reader.fail(childPath(path, field), `${field} is not supported by the analyzer`);
  }
  reader.rejectUnknownFields(op, path, OPERATION_FIELDS);
  const out: Record<string, readonly (string | number)[]> = {};
  for (const field of ['ports', 'notPorts'] as const) {
    const values = readValues(reader, op[field], childPath(path, field));
    if (values) out[field] = values.map((text, k) => readPort(reader, text, indexPath(childPath(path, field), k)));
  }
  for (const field of ['methods', 'notMethods', 'paths', 'notPaths'] as const) {
    const values = readValues(reader, op[field], childPath(path, field));
    if (values) out[field] = values;
  }
  if (Object.keys(out).length === 0) {
    reader.fail(path, 'an operation must set at least one field (Istio refuses an empty `to.operation`); to allow every operation, leave out `to`');
  }
  return out as IstioOperationManifest;
}

/** A list of non-empty strings (`reader.string`, as Istio's `CheckEmptyValues`); undefined when absent or empty (protobuf cannot tell them apart). */
function readValues(reader: FieldReader, value: unknown, path: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const values = reader.list(value, path).map((v, k) => reader.string(v, indexPath(path, k)));
  return values.length > 0 ? values : undefined;
}

/** A port as Istio reads it (`strconv.ParseUint(v, 10, 32)`, at most 65535): decimal digits, leading zeros allowed, 0 matches no connection. */
function readPort(reader: FieldReader, text: string, path: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n <= 65535)) reader.fail(path, `expected a port number 0-65535 as a string of digits, got ${JSON.stringify(text)}`);
  return n;
}

/** A validated `security.istio.io` PeerAuthentication. */
export interface IstioPeerAuthenticationManifest {
  readonly name: string;
  readonly namespace: string;
  readonly source?: SourceLocation;
  /** `selector.matchLabels`; undefined or empty = namespace level (mesh level in the root namespace). */
  readonly selector?: Readonly<Record<string, string>>;
  /** `spec.mtls.mode`; undefined = UNSET. */
  readonly mode?: MtlsMode;
  readonly portModes: readonly { readonly port: number; readonly mode?: MtlsMode }[];
  readonly createdAt?: string;
}

/**
 * Reads a PeerAuthentication, validated as Istio's webhook validates it
 * (`pkg/config/validation` `ValidatePeerAuthentication`: `portLevelMtls` only with a non-empty
 * selector, at least one entry, ports 1-65535; modes UNSET, DISABLE, PERMISSIVE, STRICT).
 */
export function readIstioPeerAuthentication(reader: FieldReader, value: unknown, defaultNamespace: string): IstioPeerAuthenticationManifest {
  const root = reader.object(value, '');
  if (!API_VERSIONS.includes(String(root.apiVersion))) {
    reader.fail('apiVersion', `expected one of ${API_VERSIONS.join(', ')} for a PeerAuthentication, got ${JSON.stringify(root.apiVersion)}`);
  }
  reader.rejectUnknownFields(root, '', ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  const metadata = reader.object(root.metadata, 'metadata');
  const name = reader.string(metadata.name, 'metadata.name');
  const namespace = reader.optionalString(metadata.namespace, 'metadata.namespace') ?? defaultNamespace;
  reader.objectDescription = `PeerAuthentication ${namespace}/${name}`;
  const createdAt = readTimestamp(reader, metadata.creationTimestamp);
  const spec = reader.optionalObject(root.spec, 'spec') ?? {};
  reader.rejectUnknownFields(spec, 'spec', ['mtls', 'portLevelMtls', 'selector']);
  let selector: Record<string, string> | undefined;
  const sel = reader.optionalObject(spec.selector, 'spec.selector');
  if (sel) {
    reader.rejectUnknownFields(sel, 'spec.selector', ['matchLabels']);
    selector = reader.stringMap(sel.matchLabels, 'spec.selector.matchLabels');
  }
  const mtls = reader.optionalObject(spec.mtls, 'spec.mtls');
  if (mtls) reader.rejectUnknownFields(mtls, 'spec.mtls', ['mode']);
  const mode = readMode(reader, mtls?.mode, 'spec.mtls.mode');
  const portModes: { port: number; mode?: MtlsMode }[] = [];
  if (spec.portLevelMtls !== undefined && spec.portLevelMtls !== null) {
    const entries = Object.entries(reader.object(spec.portLevelMtls, 'spec.portLevelMtls'));
    if (!selector || Object.keys(selector).length === 0) {
      reader.fail('spec.portLevelMtls', 'Istio refuses portLevelMtls on a mesh/namespace PeerAuthentication (one without selector.matchLabels); set a workload selector');
    }
    if (entries.length === 0) reader.fail('spec.portLevelMtls', 'port level mTLS, if defined, must have at least one element (Istio\'s validation)');
    for (const [key, entry] of entries) {
      const path = `spec.portLevelMtls.${key}`;
      const port = /^\d+$/.test(key) ? Number(key) : NaN;
      if (!(port >= 1 && port <= 65535)) reader.fail(path, `expected a port number 1-65535 as the key, got ${JSON.stringify(key)}`);
      const portEntry = reader.object(entry, path);
      reader.rejectUnknownFields(portEntry, path, ['mode']);
      const portMode = readMode(reader, portEntry.mode, `${path}.mode`);
      portModes.push(portMode === undefined ? { port } : { port, mode: portMode });
    }
    portModes.sort((a, b) => a.port - b.port);
  }
  return {
    name,
    namespace,
    source: reader.location,
    ...(selector && Object.keys(selector).length > 0 ? { selector } : {}),
    ...(mode === undefined ? {} : { mode }),
    portModes,
    ...(createdAt === undefined ? {} : { createdAt }),
  };
}

/** A mode, or undefined for UNSET and absent. */
function readMode(reader: FieldReader, value: unknown, path: string): MtlsMode | undefined {
  if (value === undefined || value === null || value === 'UNSET') return undefined;
  if (typeof value !== 'string' || !MTLS_MODES.includes(value as MtlsMode)) {
    reader.fail(path, `expected UNSET, DISABLE, PERMISSIVE or STRICT, got ${JSON.stringify(value)}`);
  }
  return value as MtlsMode;
}

/** `metadata.creationTimestamp` as the API server writes it (RFC 3339, seconds, UTC), normalized to compare as text. */
function readTimestamp(reader: FieldReader, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = value instanceof Date ? value.toISOString().replace(/\.\d{3}Z$/, 'Z') : reader.string(value, 'metadata.creationTimestamp');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(text)) {
    reader.fail('metadata.creationTimestamp', `expected an RFC 3339 time in UTC with seconds, as the API server writes it (e.g. 2026-01-31T12:00:00Z), got ${JSON.stringify(text)}`);
  }
  return text;
}
