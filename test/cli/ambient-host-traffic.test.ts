import { runCli } from './support/run-cli';
import { ambientPodsBesideHosts, parseCluster, ReachabilityAnalyzer } from '../../src/analysis';

// istio-cni SNATs every TCP connection a process of a node opens to an ambient pod on that node to
// 169.254.7.127 (IPv6: fd16:9254:7127:1337:ffff:ffff:ffff:ffff) and lets it past ztunnel (istio/istio
// @ 86c9f01fd735 cni/pkg/iptables/iptables.go). The analyzer does not put ztunnel and the node's address
// on that path: it says so in a note where it reads the traffic as allowed (node-local), and stops where it
// was asked to evaluate it.

const cluster = `
apiVersion: v1
kind: Namespace
metadata: { name: shop, labels: { istio.io/dataplane-mode: ambient } }
---
apiVersion: v1
kind: Namespace
metadata: { name: monitoring }
---
apiVersion: v1
kind: Pod
metadata: { name: web, namespace: shop, labels: { app: web }, annotations: { ambient.istio.io/redirection: enabled } }
spec: { nodeName: node-1, serviceAccountName: web, containers: [{ name: app, ports: [{ containerPort: 8080 }] }] }
status: { podIP: 10.244.1.10 }
---
apiVersion: v1
kind: Pod
metadata: { name: api, namespace: shop, labels: { app: api }, annotations: { ambient.istio.io/redirection: enabled } }
spec: { nodeName: node-2, serviceAccountName: api, containers: [{ name: app }] }
status: { podIP: 10.244.2.10 }
---
apiVersion: v1
kind: Pod
metadata: { name: legacy, namespace: monitoring, labels: { app: legacy } }
spec: { nodeName: node-1, containers: [{ name: app }] }
status: { podIP: 10.244.1.11 }
---
apiVersion: v1
kind: Pod
metadata: { name: node-exporter, namespace: monitoring, labels: { app: node-exporter } }
spec: { nodeName: node-1, hostNetwork: true, containers: [{ name: exporter }] }
status: { podIP: 192.168.0.1 }
`;
const policies = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny-all, namespace: shop }
spec: { podSelector: {}, policyTypes: [Ingress] }
`;
const withoutHost = cluster.split('---').filter((doc) => !doc.includes('hostNetwork')).join('---');
const files = { 'cluster.yaml': cluster, 'policies.yaml': policies, 'no-host.yaml': withoutHost };
const base = ['--cluster', 'cluster.yaml', '--policies', 'policies.yaml'];

describe('node traffic to ambient pods (istio-cni SNAT past ztunnel)', () => {
  test('the ambient pods that share a node with host-network pods: not those on other nodes, not pods outside the mesh', () => {
    expect(ambientPodsBesideHosts(parseCluster({ text: cluster, file: 'cluster.yaml' })).map((pod) => `${pod.namespace}/${pod.name}`)).toEqual(['shop/web']);
    expect(ambientPodsBesideHosts(parseCluster({ text: withoutHost, file: 'no-host.yaml' }))).toEqual([]);
  });

  test('reach reads the node traffic as allowed and says, in text and JSON, what decides it instead', async () => {
    const text = await runCli(['reach', ...base], { files });
    expect(text.code).toBe(0);
    const note = text.stdout.split('\n').find((line) => line.includes('node-local: 1 ambient pod shares a node with host-network pods (shop/web)'));
    expect(note).toContain('169.254.7.127 or fd16:9254:7127:1337:ffff:ffff:ffff:ffff');
    expect(note).toContain('past ztunnel');
    const json = JSON.parse((await runCli(['reach', ...base, '--format', 'json'], { files })).stdout);
    expect(json.notes.filter((n: string) => n.startsWith('node-local:'))).toHaveLength(1);
    const noHost = await runCli(['reach', '--cluster', 'no-host.yaml', '--policies', 'policies.yaml'], { files });
    expect(noHost.code).toBe(0);
    expect(noHost.stdout).not.toContain('node-local:');
  });

  test('explain answers node traffic to the ambient pod as node-local, with the note', async () => {
    const run = await runCli(['explain', ...base, '--from', 'monitoring/node-exporter', '--to', 'shop/web', '--port', '8080'], { files });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/allowed/i);
    expect(run.stdout).toContain('node-local: 1 ambient pod shares a node');
  });

  test('--node-local-traffic evaluate stops with an error naming the pod, its node and the way out, before any output', async () => {
    const run = await runCli(['reach', ...base, '--node-local-traffic', 'evaluate'], { files });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('pod shop/web is in the ambient mesh on node node-1, which runs host-network pods');
    expect(run.stderr).toContain('use --node-local-traffic allow');
    expect(() => new ReachabilityAnalyzer(parseCluster({ text: cluster, file: 'cluster.yaml' }), [], { nodeLocalTraffic: 'evaluate' })).toThrow(/ambient mesh on node node-1/);
    // Without host-network pods beside the ambient pods there is nothing the analyzer leaves out.
    const noHost = await runCli(['reach', '--cluster', 'no-host.yaml', '--policies', 'policies.yaml', '--node-local-traffic', 'evaluate'], { files });
    expect(noHost.code).toBe(0);
  });
});
