import * as fs from 'fs';
import { parseAllDocuments } from 'yaml';
import { ap, calico, cnp, lint, Manifest, np, ruleTable } from './support';
import { ClusterModel, parseCluster, PodInput } from '../../../src/analysis';
import { fixture } from '../support/run-cli';

const SEED = parseAllDocuments(fs.readFileSync(fixture('seed-policies.yaml'), 'utf8')).map((document) => document.toJSON() as Manifest);
const SEED_CLUSTER = parseCluster({ file: 'seed-cluster.yaml', text: fs.readFileSync(fixture('seed-cluster.yaml'), 'utf8') });

const APP = (app: string) => ({ matchLabels: { app } });
const DENY_ALL = np('deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
const WEB_TO_API_INGRESS = np('api-from-web', { podSelector: APP('api'), policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: APP('web') }], ports: [{ port: 8080 }] }] });
const WEB_TO_API_EGRESS = np('web-to-api', { podSelector: APP('web'), policyTypes: ['Egress'], egress: [{ to: [{ podSelector: APP('api') }], ports: [{ port: 8080 }] }] });

/** prod: web, api (8080), a second api; ops: a pod without labels. */
const cluster = ClusterModel.create({
  namespaces: [{ name: 'prod' }, { name: 'ops' }],
  pods: [
    { namespace: 'prod', name: 'web', labels: { app: 'web' }, ips: ['10.0.0.1'] },
    { namespace: 'prod', name: 'api-1', labels: { app: 'api' }, ips: ['10.0.0.2'], ports: [{ port: 8080, protocol: 'TCP' }] },
    { namespace: 'prod', name: 'api-2', labels: { app: 'api' }, ips: ['10.0.0.3'], ports: [{ port: 8080, protocol: 'TCP' }] },
    { namespace: 'ops', name: 'tool', labels: {}, ips: ['10.0.1.1'] },
  ],
});

describe('half-open-flow on the seed article\'s own policy set', () => {
  test('finds exactly its two half-open flows: frontend -> backend-api on 8080 and backend-api -> redis on 6379', () => {
    const findings = lint(SEED, { ruleId: 'half-open-flow', cluster: SEED_CLUSTER });
    expect(findings.map((finding) => `${finding.object.name}: ${finding.path}`)).toEqual([
      'allow-frontend-to-backend: spec.ingress[0]', 'backend-egress-policy: spec.egress[0]',
    ]);
    expect(findings[0].message).toBe('this ingress rule allows connections that the egress at the source denies, so they fail, for 1 pod pair: '
      + 'pod production/frontend -> pod production/backend-api on 8080/TCP (egress at pod production/frontend: isolated by NetworkPolicy production/allow-dns, '
      + 'NetworkPolicy production/default-deny-all; no rule allowed port 8080/TCP to pod production/backend-api)');
    expect(findings[1].message).toMatch(/^this egress rule allows connections that the ingress at the destination denies, so they fail, for 1 pod pair: pod production\/backend-api -> pod production\/redis on 6379\/TCP/);
  });
});

ruleTable('half-open-flow', {
  cluster,
  nonCompliant: [
    ['an ingress allowance whose sources\' egress is default-denied', [DENY_ALL, WEB_TO_API_INGRESS], ['api-from-web: spec.ingress[0]']],
    ['an egress allowance whose destinations\' ingress is default-denied', [DENY_ALL, WEB_TO_API_EGRESS], ['web-to-api: spec.egress[0]']],
    ['the halves on different ports', [DENY_ALL, WEB_TO_API_INGRESS, np('web-to-api', {
      podSelector: APP('web'), policyTypes: ['Egress'], egress: [{ to: [{ podSelector: APP('api') }], ports: [{ port: 8443 }] }],
    })], ['api-from-web: spec.ingress[0]', 'web-to-api: spec.egress[0]']],
    ['a Cilium ingress allowance under a Kubernetes egress default deny', [DENY_ALL, cnp('api', {
      endpointSelector: APP('api'), ingress: [{ fromEndpoints: [APP('web')], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }],
    })], ['api: spec.ingress[0]']],
    ['a Calico egress allowance to an isolated destination', [DENY_ALL, calico('NetworkPolicy', 'web-out', {
      selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Allow', protocol: 'TCP', destination: { selector: "app == 'api'", ports: [8080] } }],
    })], ['web-out: spec.egress[0]']],
  ],
  compliant: [
    ['both halves written', [DENY_ALL, WEB_TO_API_INGRESS, WEB_TO_API_EGRESS], []],
    ['the source is not isolated for egress', [WEB_TO_API_INGRESS], []],
    ['the destination is not isolated for ingress', [WEB_TO_API_EGRESS], []],
    ['an explicit Cilium deny at a source that is not isolated is a deny, not a missing half', [WEB_TO_API_INGRESS, cnp('no-api', {
      endpointSelector: APP('web'), egressDeny: [{ toEndpoints: [APP('api')] }], enableDefaultDeny: { egress: false },
    })], []],
    ['Istio authorizes ingress only and is not part of the check', [DENY_ALL, WEB_TO_API_EGRESS, WEB_TO_API_INGRESS, ap('api', { selector: APP('api'), rules: [{}] })], []],
  ],
});

describe('half-open-flow on dual-stack pods: a connection is over one address family', () => {
  const dualStack = ClusterModel.create({
    namespaces: [{ name: 'prod' }],
    pods: [
      { namespace: 'prod', name: 'web', labels: { app: 'web' }, ips: ['10.0.0.1', 'fd00::1'] },
      { namespace: 'prod', name: 'api', labels: { app: 'api' }, ips: ['10.0.0.2', 'fd00::2'] },
    ],
  });

  test('finds the egress allowed only to ::/0 under an ingress that isolates and admits nothing (lint seed -622040507)', () => {
    const toV6 = np('to-v6', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '::/0' } }] }] });
    const isolate = np('isolate', { podSelector: {}, policyTypes: ['Ingress'] });
    const findings = lint([toV6, isolate], { ruleId: 'half-open-flow', cluster: dualStack });
    expect(findings.map((finding) => `${finding.object.name}: ${finding.path}`)).toEqual(['to-v6: spec.egress[0]']);
    expect(findings[0].message).toMatch(/^this egress rule allows connections that the ingress at the destination denies, so they fail, for 2 pod pairs: pod prod\/api -> pod prod\/web on TCP 1-65535 over IPv6;/);
  });

  test('finds the IPv4 half of an ingress allowance whose sources may send over IPv6 only', () => {
    const toV6 = np('to-v6', { podSelector: APP('web'), policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '::/0' } }], ports: [{ port: 8080 }] }] });
    const fromWeb = np('from-web', { podSelector: APP('api'), policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: APP('web') }], ports: [{ port: 8080 }] }] });
    const findings = lint([toV6, fromWeb], { ruleId: 'half-open-flow', cluster: dualStack });
    expect(findings.map((finding) => `${finding.object.name}: ${finding.path}: ${finding.message.split(' (')[0]}`)).toEqual([
      'from-web: spec.ingress[0]: this ingress rule allows connections that the egress at the source denies, so they fail, for 1 pod pair: pod prod/web -> pod prod/api on 8080/TCP over IPv4',
    ]);
  });
});

describe('half-open-flow when it cannot decide', () => {
  test('says so on the object the analyzer cannot evaluate, and nothing else', () => {
    const services = calico('NetworkPolicy', 'to-service', {
      selector: "app == 'web'", types: ['Egress'], egress: [{ action: 'Allow', destination: { services: { name: 'api', namespace: 'prod' } } }],
    });
    const findings = lint([DENY_ALL, WEB_TO_API_INGRESS, services], { ruleId: 'half-open-flow', cluster });
    expect(findings.map((finding) => `${finding.object.name}: ${finding.path}`)).toEqual(['to-service: ']);
    expect(findings[0].message).toMatch(/^half-open flows were not checked: the analyzer cannot evaluate this object \(spec\.egress\[0\]\.destination\.services: /);
  });

  test('says so, on the first object, when there are more half-open flows than it lists, instead of listing a part', () => {
    // 2,100 pods that one ipBlock each tells apart (2,100 groups); every pod admits every other on
    // 8080, and every pod's egress is denied: 2,100 × 2,099 half-open pairs of groups.
    const ip = (i: number) => `10.1.${Math.floor(i / 256)}.${i % 256}`;
    const pods: PodInput[] = Array.from({ length: 2100 }, (_, i) => ({ namespace: 'prod', name: `p${i}`, ips: [ip(i)] }));
    const big = ClusterModel.create({ namespaces: [{ name: 'prod' }], pods });
    const apart = np('apart', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: pods.map((_, i) => ({ ipBlock: { cidr: `${ip(i)}/32` } })), ports: [{ port: 8080 }] }] });
    const findings = lint([DENY_ALL, apart], { ruleId: 'half-open-flow', cluster: big });
    expect(findings.map((finding) => `${finding.object.name}: ${finding.path}`)).toEqual(['deny-all: ']);
    expect(findings[0].message).toBe('half-open flows were not checked: 4,407,900 pairs of pod groups have half-open flows (2,100 pods in 2,100 groups), '
      + 'more than the check lists (2,000,000); lint a part of the cluster (fewer namespaces) to check it');
  });

  test('needs --cluster: without it, no finding', () => {
    expect(lint([DENY_ALL, WEB_TO_API_INGRESS], { ruleId: 'half-open-flow' })).toEqual([]);
  });
});

describe('no-enforcing-cni', () => {
  const kubeSystem = (pods: PodInput[]) => ClusterModel.create({
    namespaces: [{ name: 'kube-system' }, { name: 'prod' }, { name: 'calico-system' }],
    pods: [{ namespace: 'kube-system', name: 'coredns-7db6d8ff4d-abcde', labels: { 'k8s-app': 'kube-dns' }, ips: ['10.0.9.1'] }, ...pods],
  });
  const agent = (name: string, labels: Record<string, string> = {}, namespace = 'kube-system'): PodInput => ({ namespace, name, labels, ips: ['192.168.0.1'], hostNetwork: true, nodeName: 'n1' });
  const ids = (manifests: Manifest[], model: ClusterModel) => lint(manifests, { ruleId: 'no-enforcing-cni', cluster: model }).map((f) => `${f.object.name}: ${f.message}`);

  test('reports the first NetworkPolicy when no enforcing agent runs, with the count of the others', () => {
    const [finding, ...rest] = ids([DENY_ALL, WEB_TO_API_INGRESS], kubeSystem([]));
    expect(rest).toEqual([]);
    expect(finding).toMatch(/^deny-all: no pod of a network plugin that enforces NetworkPolicies runs in the cluster \(looked for Calico \(calico-node\), Canal/);
    expect(finding).toContain('this policy and the 1 other NetworkPolicies are stored by the API server and enforced by nothing');
  });

  test('says what it found when the plugin does not enforce, or only in some configurations', () => {
    expect(ids([DENY_ALL], kubeSystem([agent('kube-flannel-ds-x2f9q', { app: 'flannel' }, 'kube-flannel')]))[0])
      .toContain('found Flannel, but Flannel alone never enforces NetworkPolicies');
    expect(ids([DENY_ALL], kubeSystem([agent('aws-node-8kq2m', { 'k8s-app': 'aws-node' })]))[0])
      .toContain('found AWS VPC CNI (aws-node), but it enforces NetworkPolicies only with its network policy agent enabled');
  });

  test('reports Calico policies when only Cilium runs, once per dialect', () => {
    const manifests = [DENY_ALL, calico('NetworkPolicy', 'c1', { selector: 'all()', types: ['Ingress'] }), calico('NetworkPolicy', 'c2', { selector: 'all()', types: ['Ingress'] })];
    const found = ids(manifests, kubeSystem([agent('cilium-5fx9t', { 'k8s-app': 'cilium' })]));
    expect(found.map((f) => f.split(':')[0])).toEqual(['c1']);
    expect(found[0]).toContain('enforces Calico policies');
  });

  test.each([
    ['calico-node in calico-system (operator install), by label', agent('calico-node-abcde', { 'k8s-app': 'calico-node' }, 'calico-system')],
    ['cilium by DaemonSet pod name only', agent('cilium-x7k2p')],
    ['antrea-agent by labels', agent('antrea-agent-q2w3e', { app: 'antrea', component: 'antrea-agent' })],
  ])('is compliant with an enforcing agent: %s', (_what, pod) => {
    expect(ids([DENY_ALL, np('x', { podSelector: {}, policyTypes: ['Ingress'] }, 'prod')], kubeSystem([pod]))).toEqual([]);
  });

  test('judges only a cluster file that lists kube-system\'s pods, and not Istio objects', () => {
    expect(ids([DENY_ALL], cluster)).toEqual([]);
    expect(ids([ap('a', {})], kubeSystem([]))).toEqual([]);
  });
});
