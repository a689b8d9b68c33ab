import { childPath, FieldReader, indexPath } from './field-reader';
import { SourceLocation } from '../ir/policy-ref';

/** An Istio `Source` (fields AND; values inside a field OR). Only the fields the analyzer can evaluate. */
export interface IstioSourceManifest {
  readonly principals?: readonly string[];
  readonly namespaces?: readonly string[];
  /** `<namespace>/<account>` or `<account>` (the policy's namespace). */
  readonly serviceAccounts?: readonly string[];
  readonly ipBlocks?: readonly string[];
  readonly notIpBlocks?: readonly string[];
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

/** One rule: one of `from` AND one of `to` (each absent = any). */
export interface IstioRuleManifest {
  readonly from?: readonly IstioSourceManifest[];
  readonly to?: readonly IstioOperationManifest[];
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
  /** Absent (not empty) `rules`: for ALLOW, the policy matches nothing. */
  readonly rules: readonly IstioRuleManifest[];
}

const API_VERSIONS = ['security.istio.io/v1', 'security.istio.io/v1beta1'];
const SOURCE_FIELDS = ['principals', 'namespaces', 'serviceAccounts', 'ipBlocks', 'notIpBlocks'];
const UNSUPPORTED_SOURCE_FIELDS = ['notPrincipals', 'notNamespaces', 'notServiceAccounts', 'requestPrincipals', 'notRequestPrincipals', 'remoteIpBlocks', 'notRemoteIpBlocks', 'trustDomains', 'notTrustDomains'];
const OPERATION_FIELDS = ['ports', 'notPorts', 'methods', 'notMethods', 'paths', 'notPaths'];
const UNSUPPORTED_OPERATION_FIELDS = ['hosts', 'notHosts'];
/** Istio's limit on `serviceAccounts` (`pkg/config/security` `CheckServiceAccount`). */
const MAX_SERVICE_ACCOUNTS = 16;

/**
 * Reads an AuthorizationPolicy, validated as Istio's webhook does for the fields read (non-empty
 * values, sources and operations; ports 0-65535; service-account format). Fields whose meaning the
 * analyzer cannot evaluate (CUSTOM actions, `when` conditions, negated identities, request
 * principals, hosts, `targetRef(s)` — which bind the policy
 * to a Service or Gateway the cluster model does not know) fail with a ManifestError on the field,
 * rather than being evaluated wrongly.
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
  for (const field of ['targetRef', 'targetRefs']) {
    if (spec[field] !== undefined && spec[field] !== null) {
      reader.fail(`spec.${field}`, 'a policy bound to a Service, Gateway or ServiceEntry (waypoint / gateway policy) cannot be evaluated: the cluster model has no Services; the analyzer evaluates workload (selector) policies only');
    }
  }
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
    if (reader.list(rule.when, childPath(path, 'when')).length > 0) {
      reader.fail(childPath(path, 'when'), '`when` conditions are not supported by the analyzer');
    }
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
    return { ...(from?.length ? { from } : {}), ...(to?.length ? { to } : {}) };
  });
  return { name, namespace, source: reader.location, dryRun, action, ...(selector && Object.keys(selector).length ? { selector } : {}), rules };
}

function readSource(reader: FieldReader, value: unknown, path: string): IstioSourceManifest {
  const source = reader.optionalObject(value, path) ?? {};
  for (const field of UNSUPPORTED_SOURCE_FIELDS) {
    if (source[field] !== undefined) reader.fail(childPath(path, field), `${field} is not supported by the analyzer`);
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
  const accounts = out.serviceAccounts ?? [];
  if (accounts.length > MAX_SERVICE_ACCOUNTS) reader.fail(childPath(path, 'serviceAccounts'), `expected at most ${MAX_SERVICE_ACCOUNTS} service accounts (Istio's limit), got ${accounts.length}`);
  accounts.forEach((account, k) => {
    const parts = account.split('/');
    if (account.includes('*') || parts.length > 2 || parts.some((part) => part === '') || account.length > 320) {
      reader.fail(indexPath(childPath(path, 'serviceAccounts'), k), `expected <account> or <namespace>/<account> without wildcards (Istio's format), got ${JSON.stringify(account)}`);
    }
  });
  return out;
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

/**
 * Reads a PeerAuthentication and returns the mTLS modes it sets. PERMISSIVE (and UNSET) accept every
 * client, so they change no reachability; STRICT and DISABLE do (plaintext clients rejected, or
 * identities lost), which the analysis IR cannot express yet: those fail with a ManifestError.
 */
export function readIstioPeerAuthentication(reader: FieldReader, value: unknown, defaultNamespace: string): void {
  const root = reader.object(value, '');
  if (!API_VERSIONS.includes(String(root.apiVersion))) {
    reader.fail('apiVersion', `expected one of ${API_VERSIONS.join(', ')} for a PeerAuthentication, got ${JSON.stringify(root.apiVersion)}`);
  }
  const metadata = reader.object(root.metadata, 'metadata');
  const name = reader.string(metadata.name, 'metadata.name');
  reader.objectDescription = `PeerAuthentication ${reader.optionalString(metadata.namespace, 'metadata.namespace') ?? defaultNamespace}/${name}`;
  const spec = reader.optionalObject(root.spec, 'spec') ?? {};
  reader.rejectUnknownFields(spec, 'spec', ['mtls', 'portLevelMtls', 'selector']);
  const modes: [string, unknown][] = [['spec.mtls.mode', reader.optionalObject(spec.mtls, 'spec.mtls')?.mode]];
  for (const [port, entry] of Object.entries(reader.optionalObject(spec.portLevelMtls, 'spec.portLevelMtls') ?? {})) {
    modes.push([`spec.portLevelMtls.${port}.mode`, reader.optionalObject(entry, `spec.portLevelMtls.${port}`)?.mode]);
  }
  for (const [path, mode] of modes) {
    if (mode === 'STRICT' || mode === 'DISABLE') {
      reader.fail(path, `${mode} changes which clients can connect (plaintext rejected, or mTLS identities lost), which the analyzer cannot evaluate yet; only PERMISSIVE and UNSET are supported`);
    }
    if (mode !== undefined && mode !== null && mode !== 'PERMISSIVE' && mode !== 'UNSET') reader.fail(path, `expected UNSET, DISABLE, PERMISSIVE or STRICT, got ${JSON.stringify(mode)}`);
  }
}
