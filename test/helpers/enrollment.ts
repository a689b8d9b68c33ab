import { ClusterModel, MeshEnrollment } from '../../src/analysis';

/** Namespaces Istio never enrols: the injector's `IgnoredNamespaces` (`pkg/kube/inject/initializer.go`), and the control plane's. */
const NEVER_ENROLLED = ['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage', 'istio-system'];

/**
 * The same cluster with every pod that is not on the host network enrolled in the mesh as `enrollment` says
 * (what an Istio engine's intents assume of the workloads they name); host-network pods and the system
 * namespaces stay outside.
 */
export function withEnrollment(cluster: ClusterModel, enrollment: MeshEnrollment): ClusterModel {
  return ClusterModel.create({
    namespaces: [...cluster.namespaces.values()].filter((ns) => !ns.implicit).map((ns) => ({ name: ns.name, labels: { ...ns.labels } })),
    pods: cluster.pods.map((pod) => ({
      namespace: pod.namespace,
      name: pod.name,
      labels: { ...pod.labels },
      serviceAccountName: pod.serviceAccountName,
      ips: pod.ips.map((ip) => ip.text),
      ports: pod.ports,
      hostNetwork: pod.hostNetwork,
      ...(pod.nodeName === undefined ? {} : { nodeName: pod.nodeName }),
      ...(pod.phase === undefined ? {} : { phase: pod.phase }),
      mesh: { enrollment: pod.hostNetwork || NEVER_ENROLLED.includes(pod.namespace) ? 'none' : enrollment },
    })),
  });
}
