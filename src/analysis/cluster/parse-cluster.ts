import { ClusterModel, NamespaceInput, PodInput, PodPhase, rejectSharedIps, ServiceInput, WaypointInput } from './cluster-model';
import { decideEnrollment, MESH_LABELS, PodMeshEvidence, WAYPOINT_FOR_VALUES, WaypointFor } from './mesh-facts';
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
  /**
   * The Istio revisions installed with the mesh config the analyzer assumes (root namespace
   * `istio-system`, one trust domain): the values `istio.io/rev` may take on namespaces and pods.
   * @default ['default']
   */
  readonly istioRevisions?: readonly string[];
}

/** How to produce a complete cluster file, for error messages. */
export const CLUSTER_FILE_HINT = '`kubectl get namespaces,pods,services,serviceaccounts,gateways -A -o yaml > cluster.yaml`';

/** The kinds a cluster file holds, by `apiVersion` group (`v1` = core). */
const CLUSTER_KINDS: Record<string, readonly string[]> = {
  Namespace: ['v1'],
  Pod: ['v1'],
  Service: ['v1'],
  ServiceAccount: ['v1'],
  Gateway: ['gateway.networking.k8s.io/v1', 'gateway.networking.k8s.io/v1beta1'],
};

/** Istio's GatewayClass for waypoints. */
export const WAYPOINT_GATEWAY_CLASS = 'istio-waypoint';

/**
 * Reads Namespaces, Pods, Services, ServiceAccounts and (waypoint) Gateways from YAML —
 * multi-document streams or `kind: List` documents, as
 * `kubectl get namespaces,pods,services,serviceaccounts,gateways -A -o yaml` prints them — into a
 * cluster model.
 *
 * Read per pod: namespace (default `default`), name, labels, `spec.serviceAccountName` (default
 * `default`), `spec.hostNetwork`, `spec.nodeName`, the ports of `spec.containers` and of sidecar
 * `spec.initContainers` (`restartPolicy: Always`), and IPs from `status.podIPs` and `status.podIP`.
 *
 * Mesh facts: each pod's enrollment (`decideEnrollment`: an `istio-proxy` container = sidecar,
 * annotation `ambient.istio.io/redirection: enabled` = ambient, else none), Services (selector,
 * ports with `targetPort`, labels such as `istio.io/use-waypoint`), ServiceAccounts (when any is
 * given, every pod's must be), and Gateways of class `istio-waypoint` (`istio.io/waypoint-for`,
 * ready once `status.addresses` is set); other Gateways are skipped.
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
  const pods: { input: PodInput; evidence: Omit<PodMeshEvidence, 'namespaceLabels'>; reader: FieldReader }[] = [];
  const services: ServiceInput[] = [];
  const waypoints: WaypointInput[] = [];
  const accounts: string[] = [];
  const seen = new Map<string, SourceLocation>();
  for (const source of Array.isArray(sources) ? sources : [sources as YamlSource]) {
    for (const object of readManifestObjects(source.text, source.file)) {
      const reader: FieldReader = new FieldReader(object.location);
      const root = reader.object(object.value, '');
      const kind = root.kind;
      const versions = typeof kind === 'string' && Object.prototype.hasOwnProperty.call(CLUSTER_KINDS, kind) ? CLUSTER_KINDS[kind] : undefined;
      if (versions === undefined) {
        if (options.ignoreOtherKinds) {
          continue;
        }
        const given = typeof kind === 'string' ? `kind ${kind}` : 'an object without a kind';
        reader.fail('kind', `a cluster file holds ${Object.keys(CLUSTER_KINDS).join(', ')} objects (e.g. from ${CLUSTER_FILE_HINT.replace(' > cluster.yaml', '')}), got ${given}`);
      }
      if ((root.apiVersion !== undefined || versions[0] !== 'v1') && !versions.includes(root.apiVersion as string)) {
        if (kind === 'Gateway' && options.ignoreOtherKinds) {
          continue; // a Gateway of another API (e.g. networking.istio.io) is not a waypoint
        }
        reader.fail('apiVersion', `expected ${versions.map((v) => JSON.stringify(v)).join(' or ')} for a ${kind}, got ${JSON.stringify(root.apiVersion)}`);
      }
      const { namespace, name } = readIdentity(reader, root, kind as string);
      const id = `${kind} ${namespace === undefined ? '' : `${namespace}/`}${name}`;
      const earlier = seen.get(id);
      if (earlier) {
        reader.fail('metadata.name', `${id} already appeared in ${formatSourceLocation(earlier)}; each object must appear once`);
      }
      seen.set(id, object.location);
      switch (kind) {
        case 'Namespace':
          namespaces.push({ name, labels: readLabels(reader, reader.object(root.metadata, 'metadata').labels, 'metadata.labels') });
          break;
        case 'Pod':
          pods.push({ ...readPod(reader, root, namespace as string, name), reader });
          break;
        case 'Service':
          services.push(readService(reader, root, namespace as string, name));
          break;
        case 'ServiceAccount':
          accounts.push(`${namespace}/${name}`);
          break;
        default: {
          const waypoint = readGateway(reader, root, namespace as string, name);
          if (waypoint) waypoints.push(waypoint);
        }
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
    const missing = [...new Set(pods.map((pod) => pod.input.namespace ?? 'default').filter((ns) => !known.has(ns)))].sort();
    if (missing.length > 0) {
      throw new AnalysisInputError(`${files}: pods are in namespace${missing.length > 1 ? 's' : ''} ${missing.join(', ')} without a Namespace object, `
        + `so a namespaceSelector on their labels would match nothing; include the namespaces with ${CLUSTER_FILE_HINT}, `
        + 'or pass --implicit-namespaces to give them only the kubernetes.io/metadata.name label');
    }
  }
  const namespaceLabels = new Map(namespaces.map((ns) => [ns.name, ns.labels ?? {}]));
  const revisions = options.istioRevisions ?? ['default'];
  const podInputs = pods.map(({ input, evidence, reader }) => {
    try {
      return { ...input, mesh: decideEnrollment({ ...evidence, namespaceLabels: namespaceLabels.get(input.namespace as string) ?? {} }, revisions) };
    } catch (e) {
      if (e instanceof AnalysisInputError) reader.fail('metadata', e.message.replace(/^Pod [^:]*: /, ''));
      throw e;
    }
  });
  const model = ClusterModel.create({
    namespaces, pods: podInputs, services, waypoints, ...(accounts.length > 0 ? { serviceAccounts: accounts } : {}),
  });
  rejectSharedIps(model.pods);
  return model;
}

/** Name and (for namespaced kinds) namespace, validated; sets the reader's object description. */
function readIdentity(reader: FieldReader, root: Record<string, unknown>, kind: string): { namespace?: string; name: string } {
  const metadata = reader.object(root.metadata, 'metadata');
  const name = reader.string(metadata.name, 'metadata.name');
  if (kind === 'Namespace') {
    check(reader, 'metadata.name', checkNamespaceName('namespace name', name));
    reader.objectDescription = `Namespace ${name}`;
    return { name };
  }
  const namespace = reader.optionalString(metadata.namespace, 'metadata.namespace') ?? 'default';
  check(reader, 'metadata.name', checkSubdomainName(`${kind} name`, name));
  check(reader, 'metadata.namespace', checkNamespaceName('namespace name', namespace));
  reader.objectDescription = `${kind} ${namespace}/${name}`;
  return { namespace, name };
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

function readPod(reader: FieldReader, root: Record<string, unknown>, namespace: string, name: string): {
  input: PodInput; evidence: Omit<PodMeshEvidence, 'namespaceLabels'>;
} {
  const metadata = reader.object(root.metadata, 'metadata');
  const labels = readLabels(reader, metadata.labels, 'metadata.labels');
  const annotations = reader.stringMap(metadata.annotations, 'metadata.annotations');
  const redirection = Object.prototype.hasOwnProperty.call(annotations, MESH_LABELS.redirection) ? annotations[MESH_LABELS.redirection] : undefined;
  let hasProxyContainer = false;
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
      if (container.name === ISTIO_PROXY_CONTAINER) {
        hasProxyContainer = true;
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
  const owner = readController(reader, metadata.ownerReferences);
  return {
    input: {
      namespace,
      name,
      labels,
      serviceAccountName,
      hostNetwork,
      ...(nodeName ? { nodeName } : {}),
      ports,
      ips,
      ...(phase ? { phase } : {}),
      ...(owner ? { owner } : {}),
    },
    evidence: { id: `${namespace}/${name}`, labels, hostNetwork, hasProxyContainer, ...(redirection === undefined ? {} : { redirection }) },
  };
}

/** The `ownerReferences` entry with `controller: true` (at most one, as the API server requires), kind and name. */
function readController(reader: FieldReader, value: unknown): { kind: string; name: string } | undefined {
  let owner: { kind: string; name: string } | undefined;
  reader.list(value, 'metadata.ownerReferences').forEach((entry, i) => {
    const path = indexPath('metadata.ownerReferences', i);
    const reference = reader.object(entry, path);
    if (!reader.boolean(reference.controller, childPath(path, 'controller'), false)) return;
    if (owner) reader.fail(childPath(path, 'controller'), 'only one ownerReference may be the controller (the API server admits at most one)');
    owner = { kind: reader.string(reference.kind, childPath(path, 'kind')), name: reader.string(reference.name, childPath(path, 'name')) };
  });
  return owner;
}

/** The container Istio's injector adds (`injection-template.yaml`: a container, or a native-sidecar init container). */
const ISTIO_PROXY_CONTAINER = 'istio-proxy';

function readService(reader: FieldReader, root: Record<string, unknown>, namespace: string, name: string): ServiceInput {
  const metadata = reader.object(root.metadata, 'metadata');
  const labels = readLabels(reader, metadata.labels, 'metadata.labels');
  const spec = reader.optionalObject(root.spec, 'spec') ?? {};
  const selector = spec.selector === undefined || spec.selector === null ? undefined : readLabels(reader, spec.selector, 'spec.selector');
  const ports = reader.list(spec.ports, 'spec.ports').map((value, i) => {
    const path = indexPath('spec.ports', i);
    const port = reader.object(value, path);
    const protocol = port.protocol ?? 'TCP';
    if (typeof protocol !== 'string' || !PROTOCOLS.includes(protocol as Protocol)) {
      reader.fail(childPath(path, 'protocol'), `expected one of ${PROTOCOLS.join(', ')}, got ${JSON.stringify(protocol)}`);
    }
    const number = reader.integer(port.port, childPath(path, 'port'), 1, 65535);
    const portName = reader.optionalString(port.name, childPath(path, 'name'));
    if (portName !== undefined) check(reader, childPath(path, 'name'), checkPortName('port name', portName));
    let targetPort: number | string = number;
    if (typeof port.targetPort === 'string') {
      check(reader, childPath(path, 'targetPort'), checkPortName('target port name', port.targetPort));
      targetPort = port.targetPort;
    } else if (port.targetPort !== undefined && port.targetPort !== null) {
      targetPort = reader.integer(port.targetPort, childPath(path, 'targetPort'), 1, 65535);
    }
    return { ...(portName === undefined ? {} : { name: portName }), port: number, protocol: protocol as Protocol, targetPort };
  });
  return { namespace, name, labels, ...(selector === undefined ? {} : { selector }), ports };
}

/** A Gateway of class `istio-waypoint` as a waypoint; other Gateways (ingress and egress gateways) are not part of the mesh model. */
function readGateway(reader: FieldReader, root: Record<string, unknown>, namespace: string, name: string): WaypointInput | undefined {
  const metadata = reader.object(root.metadata, 'metadata');
  const labels = readLabels(reader, metadata.labels, 'metadata.labels');
  const spec = reader.object(root.spec, 'spec');
  const gatewayClass = reader.string(spec.gatewayClassName, 'spec.gatewayClassName');
  if (gatewayClass !== WAYPOINT_GATEWAY_CLASS) {
    return undefined;
  }
  const waypointFor = labels[MESH_LABELS.waypointFor] ?? 'service';
  if (!WAYPOINT_FOR_VALUES.includes(waypointFor as WaypointFor)) {
    reader.fail(childPath('metadata.labels', MESH_LABELS.waypointFor), `expected one of ${WAYPOINT_FOR_VALUES.join(', ')}, got ${JSON.stringify(waypointFor)}`);
  }
  const status = reader.optionalObject(root.status, 'status') ?? {};
  const ready = reader.list(status.addresses, 'status.addresses').length > 0;
  return { namespace, name, waypointFor: waypointFor as WaypointFor, ready };
}
