import { ClusterModel, ManifestError, parseCluster } from '../../../src/analysis';

// What `kubectl get namespaces,pods -A -o yaml` prints, trimmed to the fields that matter plus noise.
const kubectlOutput = `
apiVersion: v1
kind: List
metadata: { resourceVersion: "" }
items:
- apiVersion: v1
  kind: Namespace
  metadata:
    labels: { kubernetes.io/metadata.name: shop, team: payments }
    name: shop
  spec: { finalizers: [kubernetes] }
  status: { phase: Active }
- apiVersion: v1
  kind: Pod
  metadata:
    labels: { app: web, pod-template-hash: 7d9c }
    name: web-7d9c-abcde
    namespace: shop
    ownerReferences: [{ apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9c, uid: u1 }]
  spec:
    serviceAccountName: web
    nodeName: node-1
    containers:
    - name: web
      image: nginx
      ports:
      - { containerPort: 8080, name: http, protocol: TCP }
      - { containerPort: 9090, name: metrics }
    - name: dns-cache
      image: coredns
      ports:
      - { containerPort: 53, name: dns, protocol: UDP }
    initContainers:
    - name: migrate
      image: tool
      ports: [{ containerPort: 7000, name: never-serving }]
    - name: proxy
      image: envoy
      restartPolicy: Always
      ports: [{ containerPort: 15001, name: proxy }]
  status:
    phase: Running
    podIP: 10.1.2.3
    podIPs: [{ ip: 10.1.2.3 }, { ip: "fd00::1:2:3" }]
- apiVersion: v1
  kind: Pod
  metadata: { name: node-exporter-x, namespace: monitoring }
  spec:
    hostNetwork: true
    nodeName: node-1
    containers: [{ name: exporter, image: exporter }]
  status: { podIP: 192.168.1.10 }
- apiVersion: v1
  kind: Pod
  metadata: { name: pending, namespace: shop }
  spec: { containers: [{ name: c, image: i }] }
  status: { phase: Pending }
`;

describe('reading a cluster model', () => {
  const cluster = parseCluster({ file: 'cluster.yaml', text: kubectlOutput }, { implicitNamespaces: true });

  test('fails on pods whose namespace has no Namespace object, naming the namespaces and the fix', () => {
    expect(() => parseCluster({ file: 'cluster.yaml', text: kubectlOutput })).toThrow(
      'cluster.yaml: pods are in namespace monitoring without a Namespace object, so a namespaceSelector on their labels would match nothing; '
      + 'include the namespaces with `kubectl get namespaces,pods,services,serviceaccounts,gateways -A -o yaml > cluster.yaml`, or pass --implicit-namespaces to give them only the kubernetes.io/metadata.name label');
  });

  test('reads namespaces and pods from a kind: List', () => {
    expect([...cluster.namespaces.keys()]).toEqual(['monitoring', 'shop']);
    expect(cluster.pods.map((pod) => `${pod.namespace}/${pod.name}`)).toEqual(['monitoring/node-exporter-x', 'shop/pending', 'shop/web-7d9c-abcde']);
  });

  test('keeps namespace labels and always includes the metadata.name label', () => {
    expect(cluster.namespaces.get('shop')).toEqual({ name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop', 'team': 'payments' }, implicit: false });
  });

  test('infers a namespace that has no Namespace object, with only its name label', () => {
    expect(cluster.namespaces.get('monitoring')).toEqual({ name: 'monitoring', labels: { 'kubernetes.io/metadata.name': 'monitoring' }, implicit: true });
    expect(cluster.implicitNamespaces).toEqual(['monitoring']);
  });

  test('reads labels, service account, node, IPs of both families, and ports of containers and sidecars', () => {
    const web = cluster.findPod('shop', 'web-7d9c-abcde');
    expect(web).toEqual({
      namespace: 'shop',
      name: 'web-7d9c-abcde',
      labels: { 'app': 'web', 'pod-template-hash': '7d9c' },
      serviceAccountName: 'web',
      hostNetwork: false,
      nodeName: 'node-1',
      phase: 'Running',
      ips: [
        { family: 'IPv4', value: 0x0a010203n, text: '10.1.2.3' },
        { family: 'IPv6', value: 0xfd000000000000000000000100020003n, text: 'fd00::1:2:3' },
      ],
      ports: [
        { name: 'http', port: 8080, protocol: 'TCP' },
        { name: 'metrics', port: 9090, protocol: 'TCP' },
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'proxy', port: 15001, protocol: 'TCP' },
      ],
      // A sidecar named `proxy` is not Istio's (`istio-proxy`), and the namespace enrols nothing.
      mesh: { enrollment: 'none' },
    });
  });

  test('defaults the service account, and reads host network pods and pods without IPs', () => {
    expect(cluster.findPod('shop', 'pending')).toMatchObject({ serviceAccountName: 'default', ips: [], ports: [], hostNetwork: false });
    expect(cluster.findPod('monitoring', 'node-exporter-x')).toMatchObject({ hostNetwork: true, nodeName: 'node-1', ips: [{ text: '192.168.1.10' }] });
  });

  test('reads multi-document files and several files into one model', () => {
    const model = parseCluster([
      { file: 'ns.yaml', text: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: a }\n---\napiVersion: v1\nkind: Namespace\nmetadata: { name: b, labels: { env: prod } }\n' },
      { file: 'pods.yaml', text: 'apiVersion: v1\nkind: Pod\nmetadata: { name: p, namespace: b }\n' },
    ]);
    expect([...model.namespaces.values()].map((ns) => [ns.name, ns.labels.env, ns.implicit])).toEqual([['a', undefined, false], ['b', 'prod', false]]);
    expect(model.podsIn('b').map((pod) => pod.name)).toEqual(['p']);
  });

  test('finds pods by IP, several for host-network pods sharing a node IP', () => {
    const model = ClusterModel.create({
      pods: [
        { name: 'a', ips: ['10.0.0.1'] },
        { name: 'h1', ips: ['192.168.0.1'], hostNetwork: true },
        { name: 'h2', ips: ['192.168.0.1'], hostNetwork: true },
      ],
    });
    expect(model.podsWithIp(model.pods[0].ips[0]).map((pod) => pod.name)).toEqual(['a']);
    expect(model.podsWithIp(model.pods[1].ips[0]).map((pod) => pod.name)).toEqual(['h1', 'h2']);
  });

  function errorOf(text: string): string {
    try {
      parseCluster({ file: 'cluster.yaml', text });
    } catch (error) {
      expect(error).toBeInstanceOf(ManifestError);
      return (error as Error).message;
    }
    throw new Error('expected a ManifestError');
  }

  test.each([
    ['an invalid pod IP',
      'apiVersion: v1\nkind: Pod\nmetadata: { name: p, namespace: s }\nstatus: { podIP: 10.0.0.256 }\n',
      'cluster.yaml, document 1 (Pod s/p): status.podIP: expected an IPv4 address with four parts from 0 to 255, got "10.0.0.256"'],
    ['an invalid entry of podIPs',
      'apiVersion: v1\nkind: Pod\nmetadata: { name: p, namespace: s }\nstatus: { podIPs: [{ ip: "fd00::g" }] }\n',
      'cluster.yaml, document 1 (Pod s/p): status.podIPs[0].ip: expected an IPv6 address such as fd00::1, got "fd00::g"'],
    ['a containerPort written as a string',
      'apiVersion: v1\nkind: Pod\nmetadata: { name: p, namespace: s }\nspec:\n  containers:\n  - name: c\n    ports: [{ containerPort: "8080" }]\n',
      'cluster.yaml, document 1 (Pod s/p): spec.containers[0].ports[0].containerPort: expected an integer from 1 to 65535, got string "8080" (write the number without quotes)'],
    ['a lower-case container port protocol',
      'apiVersion: v1\nkind: Pod\nmetadata: { name: p, namespace: s }\nspec:\n  containers:\n  - name: c\n    ports: [{ containerPort: 53, protocol: udp }]\n',
      'cluster.yaml, document 1 (Pod s/p): spec.containers[0].ports[0].protocol: expected one of TCP, UDP, SCTP, got "udp"'],
    ['a numeric label value',
      'apiVersion: v1\nkind: Namespace\nmetadata: { name: web, labels: { tier: 1 } }\n',
      'cluster.yaml, document 1 (Namespace web): metadata.labels.tier: expected a string value, got number 1 (quote it: "1")'],
    ['a pod without a name',
      'apiVersion: v1\nkind: Pod\nmetadata: { namespace: s }\n',
      'cluster.yaml, document 1: metadata.name: required field is missing; expected a string'],
    ['a kind that is neither Namespace nor Pod',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d }\n',
      'cluster.yaml, document 1: kind: a cluster file holds Namespace, Pod, Service, ServiceAccount, Gateway objects (e.g. from `kubectl get namespaces,pods,services,serviceaccounts,gateways -A -o yaml`), got kind Deployment'],
    ['a pod listed twice',
      'apiVersion: v1\nkind: Pod\nmetadata: { name: p, namespace: s }\n---\napiVersion: v1\nkind: Pod\nmetadata: { name: p, namespace: s }\n',
      'cluster.yaml, document 2 (Pod s/p): metadata.name: Pod s/p already appeared in cluster.yaml, document 1; each object must appear once'],
    ['a malformed item of a List',
      'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: { name: ok }\n- apiVersion: v1\n  kind: Pod\n  metadata: { name: bad }\n  spec: { hostNetwork: "yes" }\n',
      'cluster.yaml, document 1 (Pod default/bad): items[1].spec.hostNetwork: expected true or false, got string "yes"'],
    ['a List whose items is not a list',
      'apiVersion: v1\nkind: List\nitems: { a: 1 }\n',
      'cluster.yaml, document 1: items: expected a list of objects, got an object'],
  ])('rejects %s, naming file, document, object and field', (_title, text, message) => {
    expect(errorOf(text)).toBe(message);
  });

  test('skips other kinds when asked to', () => {
    const model = parseCluster({ file: 'all.yaml', text: 'apiVersion: v1\nkind: Service\nmetadata: { name: s }\n---\napiVersion: v1\nkind: Pod\nmetadata: { name: p }\n' }, { ignoreOtherKinds: true, implicitNamespaces: true });
    expect(model.pods.map((pod) => pod.name)).toEqual(['p']);
  });

  test.each([
    ['a duplicate namespace', { namespaces: [{ name: 'a' }, { name: 'a' }] }, 'Namespace a is listed twice; every namespace must appear once'],
    ['an invalid IP', { pods: [{ name: 'p', ips: ['10.0.0'] }] }, 'Pod default/p: ips: expected an IP address such as 10.0.0.1 or fd00::1, got "10.0.0"'],
    ['a port out of range', { pods: [{ name: 'p', ports: [{ port: 0 }] }] }, 'Pod default/p: ports[0].port: expected an integer from 1 to 65535, got 0'],
  ])('fails to build a model with %s', (_title, input, message) => {
    expect(() => ClusterModel.create(input)).toThrow(message);
  });
});

describe('pods that are not running, and what the API server validates', () => {
  const ns = 'apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n---\n';
  const pod = (name: string, status: string, extra = '') => `apiVersion: v1\nkind: Pod\nmetadata: { name: ${name}, namespace: shop${extra} }\nstatus: ${status}\n---\n`;

  test('reads Succeeded and Failed pods without their stale IPs, recording the phase', () => {
    const model = parseCluster({
      file: 'c.yaml',
      text: ns + pod('job-done', '{ phase: Succeeded, podIP: 10.0.0.5 }') + pod('job-failed', '{ phase: Failed, podIP: 10.0.0.6 }')
      + pod('web', '{ phase: Running, podIP: 10.0.0.5 }'),
    });
    expect(model.pods.map((p) => [p.name, p.phase, p.ips.map((ip) => ip.text)])).toEqual([
      ['job-done', 'Succeeded', []], ['job-failed', 'Failed', []], ['web', 'Running', ['10.0.0.5']],
    ]);
    expect(model.podsWithIp(model.pods[2].ips[0]).map((p) => p.name)).toEqual(['web']);
  });

  test('fails on two live pods with one IP: an inconsistent snapshot', () => {
    expect(() => parseCluster({ file: 'c.yaml', text: ns + pod('a', '{ phase: Running, podIP: 10.0.0.5 }') + pod('b', '{ phase: Pending, podIP: 10.0.0.5 }') }))
      .toThrow(/^Pods shop\/a and shop\/b both have the IP 10\.0\.0\.5 and neither is terminated nor on the host network: the cluster snapshot is inconsistent/);
  });

  test.each([
    ['an unknown phase', pod('a', '{ phase: Done }'), 'c.yaml, document 2 (Pod shop/a): status.phase: expected one of Pending, Running, Succeeded, Failed, Unknown, got "Done"'],
    ['a pod name with a newline', 'apiVersion: v1\nkind: Pod\nmetadata: { name: "a\\nb", namespace: shop }\n',
      'c.yaml, document 2: metadata.name: expected an object name: at most 253 lower-case letters, digits, "-" or ".", starting and ending with a letter or digit, got "a\\nb"'],
    ['a namespace name with markdown', 'apiVersion: v1\nkind: Namespace\nmetadata: { name: "x [click](https://evil.example)" }\n',
      'c.yaml, document 2: metadata.name: expected a namespace name: at most 63 lower-case letters, digits or "-", starting and ending with a letter or digit, got "x [click](https://evil.example)"'],
    ['a label key __proto__', pod('a', '{}', ', labels: { __proto__: x }'),
      'c.yaml, document 2 (Pod shop/a): metadata.labels.__proto__: expected a key name of at most 63 characters: letters, digits, "-", "_" or ".", starting and ending with a letter or digit, got "__proto__"'],
    ['a label value with a space', pod('a', '{}', ', labels: { app: "a b" }'),
      'c.yaml, document 2 (Pod shop/a): metadata.labels.app: expected a label value: at most 63 characters, letters, digits, "-", "_" or ".", starting and ending with a letter or digit, got "a b"'],
    ['a service account name in capitals', 'apiVersion: v1\nkind: Pod\nmetadata: { name: a, namespace: shop }\nspec: { serviceAccountName: Admin }\n',
      'c.yaml, document 2 (Pod shop/a): spec.serviceAccountName: expected an object name: at most 253 lower-case letters, digits, "-" or ".", starting and ending with a letter or digit, got "Admin"'],
  ])('fails on %s, naming file, document, field, value and what is expected', (_title, text, message) => {
    expect(() => parseCluster({ file: 'c.yaml', text: ns + text })).toThrow(message);
  });

  test('keeps a label key constructor as a label like any other', () => {
    const model = parseCluster({ file: 'c.yaml', text: ns + pod('a', '{}', ', labels: { constructor: x }') });
    expect(Object.entries(model.pods[0].labels)).toEqual([['constructor', 'x']]);
    expect(Object.getPrototypeOf(model.pods[0].labels)).toBeNull();
  });
});

describe('reading JSON and hostile YAML', () => {
  test('reads kubectl get -o json output', () => {
    const model = parseCluster({
      file: 'cluster.json',
      text: JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'a' } } },
          { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop' }, status: { podIP: '10.0.0.1' } },
        ],
      }, null, 2),
    });
    expect(model.findPod('shop', 'web')?.ips.map((ip) => ip.text)).toEqual(['10.0.0.1']);
    expect(model.namespaces.get('shop')?.labels.team).toBe('a');
  });

  test.each([
    ['an empty file (what a failed kubectl … | leaves)', '', ' (the input is empty)'],
    ['a comment only', '# nothing here\n', ' (the input is empty)'],
    ['an empty List', 'apiVersion: v1\nkind: List\nitems: null\n', ' (the input is empty)'],
    ['namespaces without pods', 'apiVersion: v1\nkind: Namespace\nmetadata: { name: a }\n', ''],
  ])('fails on %s: a cluster without pods would pass every gate', (_title, text, detail) => {
    expect(() => parseCluster({ file: 'empty.yaml', text })).toThrow(
      `empty.yaml: the cluster has no pods${detail}; write a complete snapshot with \`kubectl get namespaces,pods,services,serviceaccounts,gateways -A -o yaml > cluster.yaml\``);
  });

  test('rejects a YAML alias bomb instead of expanding it', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const name of 'bcdefgh') {
      const previous = String.fromCharCode(name.charCodeAt(0) - 1);
      bomb.push(`${name}: &${name} [*${previous},*${previous},*${previous},*${previous},*${previous},*${previous},*${previous},*${previous},*${previous}]`);
    }
    expect(() => parseCluster({ file: 'bomb.yaml', text: bomb.join('\n') })).toThrow(/^bomb\.yaml, document 1: line \d+, column \d+: the document contains excessive aliasing/);
  });
});
