import { kubectlStyleYaml } from './yaml-emitter';


/**
 * A synthetic production estate as `kubectl get -o yaml` would print it: `namespaceCount` application
 * namespaces with web/api/db/worker deployments (replicas with unique pod-template-hash labels and
 * IPs), plus kube-system (CoreDNS), monitoring (Prometheus) and ingress-nginx. Every application
 * namespace has a zero-trust policy set: default deny, DNS, ingress from the controller, web→api→db,
 * metrics scraping on a named port, and egress to an external CIDR.
 */
export function estateYaml(namespaceCount: number): { cluster: string; policies: string; podCount: number } {
  const namespaces: object[] = [];
  const pods: object[] = [];
  const policies: object[] = [];
  let ip = 0;
  const nextIp = () => {
    ip++;
    return `10.${Math.floor(ip / 65536) % 256}.${Math.floor(ip / 256) % 256}.${ip % 256}`;
  };
  const pod = (namespace: string, name: string, labels: Record<string, string>, ports: object[], serviceAccountName = 'default') => {
    pods.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace, labels },
      spec: { serviceAccountName, nodeName: `node-${pods.length % 50}`, containers: [{ name: 'main', image: 'app', ports }] },
      status: { phase: 'Running', podIP: nextIp() },
    });
  };
  const namespace = (name: string, labels: Record<string, string> = {}) => {
    namespaces.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } });
  };

  namespace('kube-system');
  for (let i = 0; i < 2; i++) {
    pod('kube-system', `coredns-5d78c9869d-${i}`, { 'k8s-app': 'kube-dns', 'pod-template-hash': '5d78c9869d' }, [
      { name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
    ], 'coredns');
  }
  namespace('monitoring', { purpose: 'monitoring' });
  pod('monitoring', 'prometheus-0', { app: 'prometheus' }, [{ name: 'web', containerPort: 9090 }], 'prometheus');
  namespace('ingress-nginx', { purpose: 'ingress' });
  for (let i = 0; i < 3; i++) {
    pod('ingress-nginx', `controller-${i}`, { 'app.kubernetes.io/name': 'ingress-nginx' }, [{ name: 'http', containerPort: 80 }]);
  }

  const metricsPort = { name: 'metrics', containerPort: 9100 };
  for (let n = 0; n < namespaceCount; n++) {
    const ns = `team-${String(n).padStart(3, '0')}`;
    namespace(ns, { tier: n % 10 === 0 ? 'critical' : 'standard' });
    const deploy = (app: string, replicas: number, ports: object[]) => {
      for (let r = 0; r < replicas; r++) {
        pod(ns, `${app}-6b7f9-${r}`, { app, 'pod-template-hash': `6b7f9${r}`, 'statefulset.kubernetes.io/pod-name': `${app}-${r}` }, [...ports, metricsPort], app);
      }
    };
    deploy('web', 3, [{ name: 'http', containerPort: 8080 }]);
    deploy('api', 3, [{ name: 'http', containerPort: n % 2 === 0 ? 8080 : 9000 }]);
    deploy('db', 2, [{ name: 'postgres', containerPort: 5432 }]);
    deploy('worker', 2, []);

    const policy = (name: string, spec: object) => policies.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec });
    const app = (name: string) => ({ matchLabels: { app: name } });
    policy('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    policy('allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
        ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
      }],
    });
    policy('web-from-ingress', {
      podSelector: app('web'),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { purpose: 'ingress' } } }], ports: [{ port: 'http' }] }],
    });
    policy('web-to-api', { podSelector: app('web'), policyTypes: ['Egress'], egress: [{ to: [{ podSelector: app('api') }], ports: [{ port: 'http' }] }] });
    policy('api-from-web', { podSelector: app('api'), policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: app('web') }], ports: [{ port: 'http' }] }] });
    policy('api-to-db', { podSelector: app('api'), policyTypes: ['Egress'], egress: [{ to: [{ podSelector: app('db') }], ports: [{ port: 5432 }] }] });
    policy('db-from-api', { podSelector: app('db'), policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['api', 'worker'] }] } }], ports: [{ port: 'postgres' }] }] });
    policy('worker-egress', {
      podSelector: app('worker'),
      policyTypes: ['Egress'],
      egress: [
        { to: [{ podSelector: app('db') }], ports: [{ port: 5432 }] },
        { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '169.254.169.254/32'] } }], ports: [{ port: 443 }] },
      ],
    });
    policy('metrics', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { purpose: 'monitoring' } }, podSelector: { matchLabels: { app: 'prometheus' } } }], ports: [{ port: 'metrics' }] }],
    });
    if (n % 50 === 0) {
      // A few teams reach a shared range that overlaps pod IPs, so ipBlocks matter for grouping too.
      policy('legacy-range', { podSelector: app('api'), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16' } }], ports: [{ port: 8080 }] }] });
    }
  }
  const list = (items: object[]) => kubectlStyleYaml({ apiVersion: 'v1', kind: 'List', items });
  return { cluster: list([...namespaces, ...pods]), policies: list(policies), podCount: pods.length };
}
