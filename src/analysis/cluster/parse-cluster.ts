import { ClusterModel, NamespaceInput, PodInput, PodPhase, rejectSharedIps } from './cluster-model';
import { InputProblem } from '../../validation/input-error';
import {
  checkLabelKey, checkLabelValue, checkNamespaceName, checkPortName, checkSubdomainName,
} from '../../validation/validators';
import { tryParseIpAddress } from '../ip/ip-address';
import { AnalysisInputError } from '../ir/analysis-input-error';
import { Protocol, PROTOCOLS } from '../ir/analysis-policy';
import { formatSourceLocation, SourceLocation } from '../ir/policy-ref';
import { childPath, FieldReader, indexPath } from '../parse/field-reader';
import { readManifestObjects } from '../parse/yaml-documents';

/** A YAML text and the file name used in error messages. */
export interface YamlSource {
  readonly file: string;
  readonly text: string;
}

/** Options for reading a cluster model. */
export interface ParseClusterOptions {
  /**
   * Skip objects that are neither Namespaces nor Pods instead of failing.
   * @default false - an unexpected kind is an error, so a wrong file is noticed
   */
  readonly ignoreOtherKinds?: boolean;
  /**
   * Accept pods whose namespace has no Namespace object, giving the namespace only the
   * `kubernetes.io/metadata.name` label (`ClusterNamespace.implicit`).
   * @default false - an error naming the namespaces: a `namespaceSelector` on any other label would
   * silently match nothing
   */
  readonly implicitNamespaces?: boolean;
}

/** How to produce a complete cluster file, for error messages. */
export const CLUSTER_FILE_HINT = '`kubectl get namespaces,pods -A -o yaml > cluster.yaml`';

/**
 * Reads Namespaces and Pods from YAML — multi-document streams or `kind: List` documents, as
 * `kubectl get namespaces,pods -A -o yaml` prints them — into a cluster model.
 *
 * Read per pod: namespace (default `default`), name, labels, `spec.serviceAccountName` (default
 * `default`), `spec.hostNetwork`, `spec.nodeName`, the ports of `spec.containers` and of sidecar
 * `spec.initContainers` (`restartPolicy: Always`), and IPs from `status.podIPs` and `status.podIP`.
 *
 * Names, labels and ports are validated as the API server validates them. A pod in phase
 * `Succeeded` or `Failed` keeps no IP (its last one may belong to another pod now).
 *
 * @throws ManifestError naming file, document, object and field for invalid YAML, unknown kinds,
 * malformed fields and duplicate objects
 * @throws AnalysisInputError for a cluster without pods, and (unless `implicitNamespaces`) for pods
 * whose namespace has no Namespace object
 */
export function parseCluster(sources: YamlSource | readonly YamlSource[], options: ParseClusterOptions = {}): ClusterModel {
  const namespaces: NamespaceInput[] = [];
  const pods: PodInput[] = [];
  const seen = new Map<string, SourceLocation>();
  for (const source of Array.isArray(sources) ? sources : [sources as YamlSource]) {
    for (const object of readManifestObjects(source.text, source.file)) {
      const reader: FieldReader = new FieldReader(object.location);
      const root = reader.object(object.value, '');
      const kind = root.kind;
      if (kind !== 'Namespace' && kind !== 'Pod') {
        if (options.ignoreOtherKinds) {
          continue;
        }
        const given = typeof kind === 'string' ? `kind ${kind}` : 'an object without a kind';
        reader.fail('kind', `a cluster file holds Namespaces and Pods (e.g. from \`kubectl get namespaces,pods -A -o yaml\`), got ${given}`);
      }
      if (root.apiVersion !== undefined && root.apiVersion !== 'v1') {
        reader.fail('apiVersion', `expected "v1" for a ${kind}, got ${JSON.stringify(root.apiVersion)}`);
      }
      const parsed = kind === 'Namespace' ? readNamespace(reader, root) : readPod(reader, root);
      const id = kind === 'Namespace' ? `Namespace ${parsed.name}` : `Pod ${(parsed as PodInput).namespace}/${parsed.name}`;
      const earlier = seen.get(id);
      if (earlier) {
        reader.fail('metadata.name', `${id} already appeared in ${formatSourceLocation(earlier)}; each object must appear once`);
      }
      seen.set(id, object.location);
      if (kind === 'Namespace') {
        namespaces.push(parsed);
      } else {
        pods.push(parsed as PodInput);
      }
    }
  }
  const files = (Array.isArray(sources) ? sources : [sources as YamlSource]).map((source) => source.file).join(', ');
  if (pods.length === 0) {
    // An empty file is what a failed `kubectl … |` leaves: analysing no pods would pass every gate.
    throw new AnalysisInputError(`${files}: the cluster has no pods${namespaces.length === 0 ? ' (the input is empty)' : ''}; write a complete snapshot with ${CLUSTER_FILE_HINT}`);
  }
  if (!options.implicitNamespaces) {
    const known = new Set(namespaces.map((ns) => ns.name));
    const missing = [...new Set(pods.map((pod) => pod.namespace ?? 'default').filter((ns) => !known.has(ns)))].sort();
    if (missing.length > 0) {
      throw new AnalysisInputError(`${files}: pods are in namespace${missing.length > 1 ? 's' : ''} ${missing.join(', ')} without a Namespace object, `
        + `so a namespaceSelector on their labels would match nothing; include the namespaces with ${CLUSTER_FILE_HINT}, `
        + 'or pass --implicit-namespaces to give them only the kubernetes.io/metadata.name label');
    }
  }
  const model = ClusterModel.create({ namespaces, pods });
  rejectSharedIps(model.pods);
  return model;
}

/** Fails on the first problem, at `path`. */
function check(reader: FieldReader, path: string, problems: readonly InputProblem[]): void {
  if (problems.length > 0) {
    reader.fail(path, `expected ${problems[0].expected}, got ${JSON.stringify(problems[0].value)}`);
  }
}

function readLabels(reader: FieldReader, value: unknown, path: string): Record<string, string> {
  const labels = reader.stringMap(value, path);
  for (const [key, labelValue] of Object.entries(labels)) {
    check(reader, childPath(path, key), checkLabelKey('label key', key));
    check(reader, childPath(path, key), checkLabelValue('label value', labelValue));
  }
  return labels;
}

const PHASES: readonly PodPhase[] = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];

function readNamespace(reader: FieldReader, root: Record<string, unknown>): NamespaceInput {
  const metadata = reader.object(root.metadata, 'metadata');
  const name = reader.string(metadata.name, 'metadata.name');
  check(reader, 'metadata.name', checkNamespaceName('namespace name', name));
  reader.objectDescription = `Namespace ${name}`;
  return { name, labels: readLabels(reader, metadata.labels, 'metadata.labels') };
}

function readPod(reader: FieldReader, root: Record<string, unknown>): PodInput {
  const metadata = reader.object(root.metadata, 'metadata');
  const name = reader.string(metadata.name, 'metadata.name');
  const namespace = reader.optionalString(metadata.namespace, 'metadata.namespace') ?? 'default';
  check(reader, 'metadata.name', checkSubdomainName('pod name', name));
  check(reader, 'metadata.namespace', checkNamespaceName('namespace name', namespace));
  reader.objectDescription = `Pod ${namespace}/${name}`;
  const labels = readLabels(reader, metadata.labels, 'metadata.labels');
  const spec = reader.optionalObject(root.spec, 'spec') ?? {};
  const serviceAccountName = reader.optionalString(spec.serviceAccountName, 'spec.serviceAccountName')
    ?? reader.optionalString(spec.serviceAccount, 'spec.serviceAccount')
    ?? 'default';
  check(reader, spec.serviceAccountName !== undefined && spec.serviceAccountName !== null ? 'spec.serviceAccountName' : 'spec.serviceAccount',
    checkSubdomainName('service account name', serviceAccountName));
  const hostNetwork = reader.boolean(spec.hostNetwork, 'spec.hostNetwork', false);
  const nodeName = reader.optionalString(spec.nodeName, 'spec.nodeName');
  if (nodeName !== undefined) check(reader, 'spec.nodeName', checkSubdomainName('node name', nodeName));

  const ports: { name?: string; port: number; protocol: Protocol }[] = [];
  const readContainers = (field: 'containers' | 'initContainers') => {
    reader.list(spec[field], `spec.${field}`).forEach((value, i) => {
      const path = indexPath(`spec.${field}`, i);
      const container = reader.object(value, path);
      // Regular init containers have exited before traffic flows; native sidecars keep serving.
      if (field === 'initContainers' && container.restartPolicy !== 'Always') {
        return;
      }
      reader.list(container.ports, childPath(path, 'ports')).forEach((portValue, j) => {
        const portPath = indexPath(childPath(path, 'ports'), j);
        const port = reader.object(portValue, portPath);
        const protocol = port.protocol ?? 'TCP';
        if (typeof protocol !== 'string' || !PROTOCOLS.includes(protocol as Protocol)) {
          reader.fail(childPath(portPath, 'protocol'), `expected one of ${PROTOCOLS.join(', ')}, got ${JSON.stringify(protocol)}`);
        }
        const portName = reader.optionalString(port.name, childPath(portPath, 'name'));
        if (portName !== undefined) check(reader, childPath(portPath, 'name'), checkPortName('port name', portName));
        ports.push({
          ...(portName === undefined ? {} : { name: portName }),
          port: reader.integer(port.containerPort, childPath(portPath, 'containerPort'), 1, 65535),
          protocol: protocol as Protocol,
        });
      });
    });
  };
  readContainers('containers');
  readContainers('initContainers');

  const status = reader.optionalObject(root.status, 'status') ?? {};
  const phaseText = reader.optionalString(status.phase, 'status.phase');
  if (phaseText !== undefined && !PHASES.includes(phaseText as PodPhase)) {
    reader.fail('status.phase', `expected one of ${PHASES.join(', ')}, got ${JSON.stringify(phaseText)}`);
  }
  const phase = phaseText as PodPhase | undefined;
  const ips: string[] = [];
  const addIp = (value: unknown, path: string) => {
    const text = reader.string(value, path);
    const ip = tryParseIpAddress(text);
    if (typeof ip === 'string') {
      reader.fail(path, ip);
    }
    ips.push(ip.text);
  };
  reader.list(status.podIPs, 'status.podIPs').forEach((entry, i) => {
    const path = indexPath('status.podIPs', i);
    addIp(reader.object(entry, path).ip, childPath(path, 'ip'));
  });
  if (status.podIP !== undefined && status.podIP !== null && status.podIP !== '') {
    addIp(status.podIP, 'status.podIP');
  }
  return { namespace, name, labels, serviceAccountName, hostNetwork, ...(nodeName ? { nodeName } : {}), ports, ips, ...(phase ? { phase } : {}) };
}
