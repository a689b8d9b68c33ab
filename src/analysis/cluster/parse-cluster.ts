import { ClusterModel, NamespaceInput, PodInput } from './cluster-model';
import { tryParseIpAddress } from '../ip/ip-address';
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
}

/**
 * Reads Namespaces and Pods from YAML — multi-document streams or `kind: List` documents, as
 * `kubectl get namespaces,pods -A -o yaml` prints them — into a cluster model.
 *
 * Read per pod: namespace (default `default`), name, labels, `spec.serviceAccountName` (default
 * `default`), `spec.hostNetwork`, `spec.nodeName`, the ports of `spec.containers` and of sidecar
 * `spec.initContainers` (`restartPolicy: Always`), and IPs from `status.podIPs` and `status.podIP`.
 *
 * @throws ManifestError naming file, document, object and field for invalid YAML, unknown kinds,
 * malformed fields and duplicate objects
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
  return ClusterModel.create({ namespaces, pods });
}

function readNamespace(reader: FieldReader, root: Record<string, unknown>): NamespaceInput {
  const metadata = reader.object(root.metadata, 'metadata');
  const name = reader.string(metadata.name, 'metadata.name');
  reader.objectDescription = `Namespace ${name}`;
  return { name, labels: reader.stringMap(metadata.labels, 'metadata.labels') };
}

function readPod(reader: FieldReader, root: Record<string, unknown>): PodInput {
  const metadata = reader.object(root.metadata, 'metadata');
  const name = reader.string(metadata.name, 'metadata.name');
  const namespace = reader.optionalString(metadata.namespace, 'metadata.namespace') ?? 'default';
  reader.objectDescription = `Pod ${namespace}/${name}`;
  const labels = reader.stringMap(metadata.labels, 'metadata.labels');
  const spec = reader.optionalObject(root.spec, 'spec') ?? {};
  const serviceAccountName = reader.optionalString(spec.serviceAccountName, 'spec.serviceAccountName')
    ?? reader.optionalString(spec.serviceAccount, 'spec.serviceAccount')
    ?? 'default';
  const hostNetwork = reader.boolean(spec.hostNetwork, 'spec.hostNetwork', false);
  const nodeName = reader.optionalString(spec.nodeName, 'spec.nodeName');

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
  return { namespace, name, labels, serviceAccountName, hostNetwork, ...(nodeName ? { nodeName } : {}), ports, ips };
}
