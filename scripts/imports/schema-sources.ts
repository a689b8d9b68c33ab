// Where each vendor schema in ../shared/crds comes from, transcribed from ../shared/crds/SOURCES.md.
// The derivation (schema-derivation.ts) reads the git blob of every file from SOURCES.md's tables and
// checks it against the file's bytes, and fails for a file in ../shared/crds that is not listed here, so a
// new or changed vendor file cannot slip into imports/schemas without its provenance.

/** The upstream origin of one schema file in ../shared/crds. */
export interface SchemaSource {
  /** Path relative to ../shared/crds, and to imports/schemas (the derived copy keeps it). */
  readonly file: string;
  /** The project that owns the API, as a GitHub owner/name. */
  readonly project: string;
  /** The release the file belongs to: a tag, or a branch when no tag fits (SOURCES.md says why). */
  readonly ref: string;
  /** The upstream commit, when known. */
  readonly commit?: string;
  /** The file's path in the upstream project at that commit. */
  readonly upstreamPath: string;
  /** When the shared copy is a part of the upstream file, or came through another repository: how. */
  readonly note?: string;
  /**
   * For a Kubernetes OpenAPI document: the components that validation starts from. The derived copy keeps
   * them and every component they reference (transitively), and nothing else.
   */
  readonly rootComponents?: readonly string[];
}

const CILIUM_COMMIT = '933785d62034acfeeb7f2fe83871a41fc511f659';
const CALICO_COMMIT = '0ca9d1b93644778cafdf1812f3dda02ac0c361e8';
const ISTIO_COMMIT = '2e43f07b30b6744bc8252fce39fb58b03f85ff8b';
const ISTIO_FILE = 'kubernetes/customresourcedefinitions.gen.yaml';

function cilium(name: string): SchemaSource {
  return {
    file: `cilium/${name}`,
    project: 'cilium/cilium',
    ref: 'v1.19 branch point on main ("Prepare for v1.20 development cycle")',
    commit: CILIUM_COMMIT,
    upstreamPath: `pkg/k8s/apis/cilium.io/client/crds/v2/${name}`,
  };
}

function calico(name: string): SchemaSource {
  return {
    file: `calico/${name}`,
    project: 'projectcalico/calico',
    ref: 'v3.32.1',
    commit: CALICO_COMMIT,
    upstreamPath: `api/config/crd/${name}`,
  };
}

function networkPolicyApi(release: 'v0.2.0' | 'v0.1.8', channel: 'standard' | 'experimental', name: string): SchemaSource {
  return {
    file: `network-policy-api/${release}-${channel}/${name}`,
    project: 'kubernetes-sigs/network-policy-api',
    ref: release,
    commit: release === 'v0.2.0' ? 'a17adecd0316b8ff1c3f83939ec0441d68cd6cce' : '5a62954284765fb16f2e601f11907ca0b839b89f',
    upstreamPath: `config/crd/${channel}/${name}`,
  };
}

/** Every schema file in ../shared/crds, in the order imports/README.md lists them. */
export const SCHEMA_SOURCES: readonly SchemaSource[] = [
  {
    file: 'kubernetes/apis__networking.k8s.io__v1_openapi.json',
    project: 'kubernetes/kubernetes',
    ref: 'release-1.35 (branch head at the end of 2025; the exact commit is not known)',
    upstreamPath: 'api/openapi-spec/v3/apis__networking.k8s.io__v1_openapi.json',
    note: 'bytes taken from kubernetes-sigs/kubectl-validate a97ccfaca20b164819afdae780392496f6ed6bbd, '
      + 'pkg/openapiclient/builtins/1.35/apis/networking.k8s.io/v1.json (its raw download of the file above)',
    rootComponents: ['io.k8s.api.networking.v1.NetworkPolicy'],
  },
  cilium('ciliumnetworkpolicies.yaml'),
  cilium('ciliumclusterwidenetworkpolicies.yaml'),
  calico('projectcalico.org_networkpolicies.yaml'),
  calico('projectcalico.org_globalnetworkpolicies.yaml'),
  calico('projectcalico.org_networksets.yaml'),
  calico('projectcalico.org_globalnetworksets.yaml'),
  calico('projectcalico.org_tiers.yaml'),
  calico('projectcalico.org_stagednetworkpolicies.yaml'),
  calico('projectcalico.org_stagedglobalnetworkpolicies.yaml'),
  calico('projectcalico.org_stagedkubernetesnetworkpolicies.yaml'),
  {
    file: 'istio/authorizationpolicies.security.istio.io.yaml',
    project: 'istio/api',
    ref: 'v1.30.3',
    commit: ISTIO_COMMIT,
    upstreamPath: ISTIO_FILE,
    note: 'document 11 (counting from 0) of the upstream multi-document file (blob 7318e07ffdaca66dbbfdc4e27e93da74eabdd3a2)',
  },
  {
    file: 'istio/peerauthentications.security.istio.io.yaml',
    project: 'istio/api',
    ref: 'v1.30.3',
    commit: ISTIO_COMMIT,
    upstreamPath: ISTIO_FILE,
    note: 'document 12 (counting from 0) of the upstream multi-document file (blob 7318e07ffdaca66dbbfdc4e27e93da74eabdd3a2)',
  },
  {
    file: 'gateway-api/gateway.networking.k8s.io_gateways.yaml',
    project: 'kubernetes-sigs/gateway-api',
    ref: 'v1.6.1',
    commit: '8bb74df00e56ec8f944d48c25e6c1c9c2f6848e3',
    upstreamPath: 'config/crd/standard/gateway.networking.k8s.io_gateways.yaml',
  },
  networkPolicyApi('v0.2.0', 'standard', 'policy.networking.k8s.io_clusternetworkpolicies.yaml'),
  networkPolicyApi('v0.2.0', 'experimental', 'policy.networking.k8s.io_clusternetworkpolicies.yaml'),
  networkPolicyApi('v0.1.8', 'standard', 'policy.networking.k8s.io_adminnetworkpolicies.yaml'),
  networkPolicyApi('v0.1.8', 'standard', 'policy.networking.k8s.io_baselineadminnetworkpolicies.yaml'),
];
