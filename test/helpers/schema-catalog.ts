/**
 * Which schema file validates which Kubernetes kind.
 *
 * The schema files are in the repository's `imports/schemas/`, derived by `npx projen import` from the
 * vendors' files in `../shared/crds` (same relative paths; descriptions removed; provenance in each file's
 * header and in `imports/README.md`). The suite needs nothing outside the repository: a clone passes
 * `npm ci && npx projen test` on its own.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The derived schema files the suite validates against (`imports/schemas/` of this repository). */
export const SCHEMAS_DIR: string = path.resolve(__dirname, '..', '..', 'imports', 'schemas');

/**
 * The same folder under the name the catalog used when it read `../shared/crds` directly; kept so callers
 * written against that name keep working. Prefer {@link SCHEMAS_DIR}.
 */
export const CRDS_DIR: string = SCHEMAS_DIR;

/** A kind whose schema is a definition inside a Kubernetes OpenAPI v3 document. */
export interface OpenApiSchemaSource {
  readonly format: 'openapi';
  /** Path relative to {@link SCHEMAS_DIR}. */
  readonly file: string;
  /** The API versions this document describes. */
  readonly versions: readonly string[];
  /** Key under `#/components/schemas`. */
  readonly component: string;
  readonly scope: 'Namespaced' | 'Cluster';
}

/** A kind described by a CustomResourceDefinition file (served versions and scope come from the file). */
export interface CrdSchemaSource {
  readonly format: 'crd';
  /** Path relative to {@link SCHEMAS_DIR}. */
  readonly file: string;
  /**
   * Other release channels of the same CRD (same name, other fields), relative to {@link SCHEMAS_DIR}:
   * an object must be valid in every channel, since a cluster installs one of them.
   */
  readonly channels?: readonly string[];
  /**
   * API versions validated against the schema of another version the files serve, when upstream
   * serves the same schema under the new version but no copy of that CRD is in shared/crds.
   */
  readonly versionAliases?: Readonly<Record<string, string>>;
}

export type SchemaSource = OpenApiSchemaSource | CrdSchemaSource;

/** `group` → `kind` → schema source. The core group would be the empty string. */
export const SCHEMA_CATALOG: Readonly<Record<string, Readonly<Record<string, SchemaSource>>>> = {
  'networking.k8s.io': {
    NetworkPolicy: {
      format: 'openapi',
      file: 'kubernetes/apis__networking.k8s.io__v1_openapi.json',
      versions: ['v1'],
      component: 'io.k8s.api.networking.v1.NetworkPolicy',
      scope: 'Namespaced',
    },
  },
  'cilium.io': {
    CiliumNetworkPolicy: { format: 'crd', file: 'cilium/ciliumnetworkpolicies.yaml' },
    CiliumClusterwideNetworkPolicy: { format: 'crd', file: 'cilium/ciliumclusterwidenetworkpolicies.yaml' },
  },
  'projectcalico.org': {
    NetworkPolicy: { format: 'crd', file: 'calico/projectcalico.org_networkpolicies.yaml' },
    GlobalNetworkPolicy: { format: 'crd', file: 'calico/projectcalico.org_globalnetworkpolicies.yaml' },
    NetworkSet: { format: 'crd', file: 'calico/projectcalico.org_networksets.yaml' },
    GlobalNetworkSet: { format: 'crd', file: 'calico/projectcalico.org_globalnetworksets.yaml' },
    Tier: { format: 'crd', file: 'calico/projectcalico.org_tiers.yaml' },
    StagedNetworkPolicy: { format: 'crd', file: 'calico/projectcalico.org_stagednetworkpolicies.yaml' },
    StagedGlobalNetworkPolicy: { format: 'crd', file: 'calico/projectcalico.org_stagedglobalnetworkpolicies.yaml' },
    StagedKubernetesNetworkPolicy: { format: 'crd', file: 'calico/projectcalico.org_stagedkubernetesnetworkpolicies.yaml' },
  },
  'security.istio.io': {
    AuthorizationPolicy: { format: 'crd', file: 'istio/authorizationpolicies.security.istio.io.yaml' },
    PeerAuthentication: { format: 'crd', file: 'istio/peerauthentications.security.istio.io.yaml' },
  },
  'gateway.networking.k8s.io': {
    Gateway: { format: 'crd', file: 'gateway-api/gateway.networking.k8s.io_gateways.yaml' },
  },
  'policy.networking.k8s.io': {
    ClusterNetworkPolicy: {
      format: 'crd',
      file: 'network-policy-api/v0.2.0-standard/policy.networking.k8s.io_clusternetworkpolicies.yaml',
      channels: ['network-policy-api/v0.2.0-experimental/policy.networking.k8s.io_clusternetworkpolicies.yaml'],
      // Later network-policy-api releases serve the v1alpha2 schema unchanged as v1beta1 (issue 15);
      // shared/crds has no copy of such a release.
      versionAliases: { v1beta1: 'v1alpha2' },
    },
    AdminNetworkPolicy: { format: 'crd', file: 'network-policy-api/v0.1.8-standard/policy.networking.k8s.io_adminnetworkpolicies.yaml' },
    BaselineAdminNetworkPolicy: { format: 'crd', file: 'network-policy-api/v0.1.8-standard/policy.networking.k8s.io_baselineadminnetworkpolicies.yaml' },
  },
};

/** The Kubernetes OpenAPI document that also provides `ObjectMeta` for custom resources. */
export const K8S_NETWORKING_OPENAPI = 'kubernetes/apis__networking.k8s.io__v1_openapi.json';
export const OBJECT_META_COMPONENT = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** Splits `group/version` (or a core `v1`) into its parts. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The catalog entry for a group and kind, or undefined when the kind is not supported. */
export function findSchemaSource(group: string, kind: string): SchemaSource | undefined {
  const kinds = Object.prototype.hasOwnProperty.call(SCHEMA_CATALOG, group) ? SCHEMA_CATALOG[group] : undefined;
  return kinds && Object.prototype.hasOwnProperty.call(kinds, kind) ? kinds[kind] : undefined;
}

/** Every supported `apiVersion`-independent key, as `group/Kind`, for error messages. */
export function supportedKinds(): string[] {
  return Object.entries(SCHEMA_CATALOG).flatMap(([group, kinds]) => Object.keys(kinds).map(k => `${group}/${k}`));
}

/** Reads a schema file, failing with a message that says how to bring the derived files back. */
export function readSchemaFile(file: string): string {
  const full = path.join(SCHEMAS_DIR, file);
  if (!fs.existsSync(full)) {
    throw new Error(`schema file ${full} not found; imports/schemas/ holds the derived vendor schemas and is part `
      + 'of the repository. Fix: restore it with git (git checkout -- imports), or regenerate it with npx projen import');
  }
  return fs.readFileSync(full, 'utf8');
}
