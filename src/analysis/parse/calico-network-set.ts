import { readCalicoCidrs } from './calico-policy';
import { childPath, FieldReader, indexPath } from './field-reader';
import { checkLabelKey, checkLabelValue } from '../../validation/validators';
import { Cidr } from '../ip/cidr';
import { SourceLocation } from '../ir/policy-ref';
import { Labels } from '../ir/selector';

/**
 * A Calico `NetworkSet` (namespaced) or `GlobalNetworkSet`: addresses with labels, which Calico rule
 * selectors match like the labels of an endpoint (libcalico-go
 * `lib/backend/syncersv1/updateprocessors/{networkset,globalnetworkset}processor.go`).
 */
export interface CalicoNetworkSetManifest {
  readonly kind: 'NetworkSet' | 'GlobalNetworkSet';
  readonly name: string;
  /** Undefined for a GlobalNetworkSet. */
  readonly namespace?: string;
  readonly source?: SourceLocation;
  /** `metadata.labels`, own keys only. */
  readonly labels: Labels;
  /** `spec.nets`, masked, in the order written. */
  readonly nets: readonly Cidr[];
}

/** The label Calico adds to a namespaced network set for its namespace; no v3 object may carry it. */
export const CALICO_NAMESPACE_LABEL = 'projectcalico.org/namespace';

const TOP_LEVEL_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];

/**
 * Validates a NetworkSet or GlobalNetworkSet as Calico's API server does: the CRD schema (`spec`
 * required, `spec.nets` a list of strings without duplicates — `x-kubernetes-list-type: set`), and
 * libcalico-go's validator (`lib/validator/v3/validator.go`: every net a CIDR or an address,
 * `validateObjectMeta` label keys and values, and `validateNetworkSet` / `validateGlobalNetworkSet`
 * refusing the label `projectcalico.org/namespace`).
 *
 * @throws ManifestError naming the field and what was expected
 */
export function readCalicoNetworkSet(reader: FieldReader, value: unknown, defaultNamespace: string): CalicoNetworkSetManifest {
  const root = reader.object(value, '');
  const kind = root.kind as CalicoNetworkSetManifest['kind'];
  if (root.apiVersion !== 'projectcalico.org/v3') {
    reader.fail('apiVersion', `expected "projectcalico.org/v3" for a Calico ${kind}, got ${JSON.stringify(root.apiVersion)} (crd.projectcalico.org/v1 is Calico's internal storage: export network sets with calicoctl or kubectl get ${kind.toLowerCase()}s.projectcalico.org)`);
  }
  reader.rejectUnknownFields(root, '', TOP_LEVEL_FIELDS);
  const global = kind === 'GlobalNetworkSet';
  const metadata = reader.object(root.metadata, 'metadata');
  const name = reader.string(metadata.name, 'metadata.name');
  const namespace = global ? undefined : reader.optionalString(metadata.namespace, 'metadata.namespace') ?? defaultNamespace;
  if (global && metadata.namespace !== undefined && metadata.namespace !== null) {
    reader.fail('metadata.namespace', 'a GlobalNetworkSet is cluster-scoped; remove the namespace (or make it a NetworkSet)');
  }
  reader.objectDescription = `${kind} ${namespace !== undefined ? `${namespace}/` : ''}${name}`;
  const labels = reader.stringMap(metadata.labels, 'metadata.labels');
  for (const [key, labelValue] of Object.entries(labels)) {
    const at = childPath('metadata.labels', key);
    const problem = checkLabelKey('label key', key)[0] ?? checkLabelValue('label value', labelValue)[0];
    if (problem) reader.fail(at, `expected ${problem.expected}, got ${JSON.stringify(problem.value)}`);
    if (key === CALICO_NAMESPACE_LABEL) {
      reader.fail(at, `${CALICO_NAMESPACE_LABEL} is not a valid label name (Calico sets it itself from the namespace); remove it`);
    }
  }
  if (root.spec === undefined || root.spec === null) reader.fail('spec', 'required field is missing; expected an object with nets');
  const spec = reader.object(root.spec, 'spec');
  if ('allowedEgressDomains' in spec) {
    reader.fail('spec.allowedEgressDomains', 'is a Calico Enterprise field (domain names); Calico Open Source rejects it, and the analyzer evaluates Calico Open Source');
  }
  reader.rejectUnknownFields(spec, 'spec', ['nets']);
  const written = reader.list(spec.nets, 'spec.nets');
  const seen = new Map<unknown, number>();
  written.forEach((net, i) => {
    const first = seen.get(net);
    if (first !== undefined) reader.fail(indexPath('spec.nets', i), `duplicates spec.nets[${first}] (${JSON.stringify(net)}); the API server rejects duplicate entries in this list`);
    seen.set(net, i);
  });
  const nets = readCalicoCidrs(reader, written, 'spec.nets');
  return { kind, name, ...(namespace !== undefined ? { namespace } : {}), source: reader.location, labels, nets };
}
