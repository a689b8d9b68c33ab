import { ClusterModel, parsePolicies } from '../../src/analysis';
import { PlanAllowFrom, PlanIntent } from '../../src/importer/import-plan';
import { formatCannotExpress } from '../../src/importer/plan-import';
import { meshModeOf, planIstioImport } from '../../src/importer/plan-istio';

// The Istio planner on its own, field by field: what each part of an AuthorizationPolicy or
// PeerAuthentication becomes, which of the CNI's rules are the mesh's plumbing or the L4 shadow of a
// mesh rule, and what is refused (object, field, why). The command's proof (test/cli/import-istio-examples.test.ts)
// checks that what it maps means the same traffic on both layers.

const sidecar = { enrollment: 'sidecar' as const };
const cluster = ClusterModel.create({
  namespaces: [{ name: 'shop' }, { name: 'ops' }, { name: 'istio-system' }, { name: 'kube-system' }],
  pods: [
    { namespace: 'shop', name: 'web', labels: { app: 'web' }, serviceAccountName: 'web', ips: ['10.244.0.10'], mesh: sidecar },
    { namespace: 'shop', name: 'api', labels: { app: 'api' }, serviceAccountName: 'api', ips: ['10.244.0.11'], mesh: sidecar },
    { namespace: 'ops', name: 'prom', labels: { app: 'prom' }, serviceAccountName: 'prom', ips: ['10.244.1.10'], mesh: sidecar },
    { namespace: 'istio-system', name: 'istiod', labels: { app: 'istiod' }, ips: ['10.244.2.1'] },
  ],
});

function plan(text: string, mode: 'sidecar' | 'ambient' = 'sidecar', model: ClusterModel = cluster) {
  const policies = parsePolicies({ file: 'in.yaml', text }, { clusterNamespaces: model.namespaces });
  return planIstioImport(policies, model, { mode, cni: 'kubernetes', podCidrs: ['10.244.0.0/16'], serviceCidrs: ['10.96.0.0/12'] });
}

const DENY_SHOP = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: deny, namespace: shop }\nspec: { podSelector: {}, policyTypes: [Ingress, Egress] }\n---\n';
const ap = (name: string, spec: string) => `apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: { name: ${name}, namespace: shop }\nspec:\n${spec}\n---\n`;
const pa = (name: string, spec: string) => `apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: { name: ${name}, namespace: shop }\nspec:\n${spec}\n---\n`;
const API = '  selector: { matchLabels: { app: api } }\n  action: ALLOW\n';

function allowFroms(intents: readonly PlanIntent[]): PlanAllowFrom[] {
  return intents.filter((i): i is PlanAllowFrom => i.kind === 'AllowFrom');
}

function problems(result: ReturnType<typeof plan>): string[] {
  return (result.cannotExpress ?? []).map(formatCannotExpress);
}

describe('planIstioImport: AuthorizationPolicy fields', () => {
  test('a principal becomes Peer.serviceAccount, a namespace Peer.namespace, ipBlocks Peer.cidr, no from Peer.anyone(); each rule one AllowFrom for the selector\'s pods', () => {
    const result = plan(DENY_SHOP + ap('api', `${API}  rules:
  - from: [{ source: { principals: [cluster.local/ns/shop/sa/web] } }, { source: { namespaces: [ops] } }]
    to: [{ operation: { ports: ["8080"] } }]
  - from: [{ source: { ipBlocks: [192.0.2.0/24], notIpBlocks: [192.0.2.7] } }]
    to: [{ operation: { ports: ["8443"] } }]
  - to: [{ operation: { ports: ["9090"] } }]`));
    expect(problems(result)).toEqual([]);
    const allows = allowFroms(result.plan!.intents);
    expect(allows.map(a => [a.id, a.peers, a.ports])).toEqual([
      ['api-0', [{ kind: 'pods', podLabels: {}, podExpressions: [], namespaces: { kind: 'name', name: 'shop' }, serviceAccount: 'web' }, { kind: 'namespace', name: 'ops' }],
        [{ kind: 'port', protocol: 'TCP', port: 8080 }]],
      ['api-1', [{ kind: 'cidr', cidr: '192.0.2.0/24', except: ['192.0.2.7/32'] }], [{ kind: 'port', protocol: 'TCP', port: 8443 }]],
      ['api-2', [{ kind: 'anyone' }], [{ kind: 'port', protocol: 'TCP', port: 9090 }]],
    ]);
    const to = result.plan!.workloads.find(w => w.id === allows[0].to)!;
    expect([to.namespace, to.labels]).toEqual(['shop', { app: 'api' }]);
    expect(result.plan!.engine).toMatchObject({ kind: 'kubernetes', istio: { mode: 'sidecar' } });
  });

  test('serviceAccounts (namespace/account and the policy\'s own namespace) become Peer.serviceAccount too', () => {
    const result = plan(DENY_SHOP + ap('api', `${API}  rules: [{ from: [{ source: { serviceAccounts: [ops/prom, web] } }] }]`));
    expect(problems(result)).toEqual([]);
    expect(allowFroms(result.plan!.intents)[0].peers.map(p => (p.kind === 'pods' ? `${p.serviceAccount}@${p.namespaces.kind === 'name' ? p.namespaces.name : '?'}` : p.kind)))
      .toEqual(['prom@ops', 'web@shop']);
  });

  test('no ports is every TCP port; exact methods with exact or prefix paths are HttpRules, * is any method', () => {
    const result = plan(DENY_SHOP + ap('api', `${API}  rules:
  - to: [{ operation: { methods: [GET, POST], paths: [/api/v1/*, /health] } }]
  - to: [{ operation: { methods: ["*"], paths: [/public*] } }]
  - to: [{ operation: { methods: [DELETE] } }]`));
    expect(problems(result)).toEqual([]);
    expect(allowFroms(result.plan!.intents).map(a => [a.ports, a.http])).toEqual([
      [[{ kind: 'all', protocol: 'TCP' }], [
        { method: 'GET', path: { kind: 'prefix', value: '/api/v1/' } }, { method: 'POST', path: { kind: 'prefix', value: '/api/v1/' } },
        { method: 'GET', path: { kind: 'exact', value: '/health' } }, { method: 'POST', path: { kind: 'exact', value: '/health' } },
      ]],
      [[{ kind: 'all', protocol: 'TCP' }], [{ path: { kind: 'prefix', value: '/public' } }]],
      [[{ kind: 'all', protocol: 'TCP' }], [{ method: 'DELETE' }]],
    ]);
  });

  test('an ALLOW policy without rules (the ALLOW-nothing baseline every isolation renders) is no intent of its own', () => {
    const result = plan(DENY_SHOP + ap('baseline', '  {}'));
    expect(problems(result)).toEqual([]);
    expect(result.plan!.intents.map(i => i.kind)).toEqual(['DefaultDeny']);
  });
});

describe('planIstioImport: PeerAuthentication', () => {
  test('a namespace\'s STRICT becomes MutualTls; a workload\'s PERMISSIVE with a STRICT port MutualTls with the workload and the port exception', () => {
    const result = plan(DENY_SHOP + pa('ns', '  mtls: { mode: STRICT }') + pa('api', '  selector: { matchLabels: { app: api } }\n  mtls: { mode: PERMISSIVE }\n  portLevelMtls: { "9090": { mode: STRICT } }'));
    expect(problems(result)).toEqual([]);
    const mtls = result.plan!.intents.filter(i => i.kind === 'MutualTls');
    expect(mtls.map(m => (m.kind === 'MutualTls' ? [m.id, m.namespace, m.pods, m.mode, m.portExceptions] : []))).toEqual([
      ['ns', 'shop', undefined, 'STRICT', []],
      ['api', 'shop', expect.any(String), 'PERMISSIVE', [{ port: 9090, mode: 'STRICT' }]],
    ]);
  });

  test('DISABLE and UNSET modes are refused by field', () => {
    const result = plan(pa('disabled', '  mtls: { mode: DISABLE }') + pa('api', '  selector: { matchLabels: { app: api } }\n  mtls: { mode: STRICT }\n  portLevelMtls: { "9090": { mode: DISABLE } }'));
    expect(problems(result)).toEqual([
      expect.stringMatching(/^PeerAuthentication shop\/disabled \(in\.yaml, document 1\) spec\.mtls\.mode: mode DISABLE: MutualTls says STRICT or PERMISSIVE/),
      expect.stringMatching(/^PeerAuthentication shop\/api \(in\.yaml, document 2\) spec\.portLevelMtls\.9090\.mode: mode DISABLE/),
    ]);
  });
});

describe('planIstioImport: the CNI layer', () => {
  test('sidecar: the egress to istiod on TCP 15012 is the plumbing the engine renders; the TCP ingress at pods the mesh isolates is the mesh rules\' shadow, UDP stays', () => {
    const netpol = (name: string, spec: string) => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: ${name}, namespace: shop }\nspec:\n${spec}\n---\n`;
    const result = plan(DENY_SHOP
      + netpol('istiod', '  podSelector: {}\n  policyTypes: [Egress]\n  egress: [{ to: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: istio-system } }, '
        + 'podSelector: { matchLabels: { app: istiod } } }], ports: [{ protocol: TCP, port: 15012 }] }]')
      + netpol('api', '  podSelector: { matchLabels: { app: api } }\n  policyTypes: [Ingress]\n  ingress: [{ from: [{ podSelector: { matchLabels: { app: web } } }], '
        + 'ports: [{ protocol: TCP, port: 8080 }, { protocol: UDP, port: 5353 }] }]')
      + ap('api', `${API}  rules: [{ from: [{ source: { principals: [cluster.local/ns/shop/sa/web] } }], to: [{ operation: { ports: ["8080"] } }] }]`));
    expect(problems(result)).toEqual([]);
    expect(result.plan!.intents.map(i => `${i.kind} ${i.id} ${'ports' in i ? JSON.stringify(i.ports) : ''}`)).toEqual([
      'DefaultDeny deny ',
      'AllowFrom api-ingress-0 [{"kind":"port","protocol":"UDP","port":5353}]',
      'AllowFrom api [{"kind":"port","protocol":"TCP","port":8080}]',
    ]);
  });

  test('a CNI policy whose pods the mesh isolates only in part is refused by name', () => {
    const result = plan(DENY_SHOP
      + 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: all, namespace: shop }\nspec:\n  podSelector: {}\n'
      + '  ingress: [{ ports: [{ protocol: TCP, port: 8080 }] }]\n---\n'
      + ap('api', `${API}  rules: [{ to: [{ operation: { ports: ["8080"] } }] }]`));
    expect(problems(result)).toEqual([expect.stringMatching(/^NetworkPolicy shop\/all \(in\.yaml, document 2\) spec: it selects pods the mesh isolates on ingress \(shop\/api\) and pods it does not \(shop\/web\)/)]);
  });

  test('an ALLOW policy for pods the CNI layer does not isolate is refused by name', () => {
    const result = plan(ap('api', `${API}  rules: [{ to: [{ operation: { ports: ["8080"] } }] }]`));
    expect(problems(result)).toEqual([expect.stringMatching(/^AuthorizationPolicy shop\/api \(in\.yaml, document 1\) spec\.selector: it isolates pods whose ingress the CNI layer does not isolate \(shop\/api\)/)]);
  });
});

describe('planIstioImport: refusals', () => {
  test.each([
    ['a DENY policy', '  selector: { matchLabels: { app: api } }\n  action: DENY\n  rules: [{ to: [{ operation: { ports: ["8080"] } }] }]', /spec\.action: a DENY policy: no intent renders one/],
    ['an AUDIT policy', '  selector: { matchLabels: { app: api } }\n  action: AUDIT\n  rules: [{ to: [{ operation: { ports: ["8080"] } }] }]', /spec\.action: an AUDIT policy: no intent renders one/],
    ['a principal pattern', `${API}  rules: [{ from: [{ source: { principals: [cluster.local/ns/shop/sa/web-*] } }] }]`,
      /spec\.rules\[0\]: the identity pattern prefix "spiffe:\/\/cluster\.local\/ns\/shop\/sa\/web-" is not one service account/],
    ['a namespace pattern', `${API}  rules: [{ from: [{ source: { namespaces: ["team-*"] } }] }]`, /spec\.rules\[0\]: the identity pattern regex .* is not one service account/],
    ['notPaths', `${API}  rules: [{ to: [{ operation: { paths: [/api*], notPaths: [/api/admin*] } }] }]`, /spec\.rules\[0\]\.to\[0\]: notMethods or notPaths/],
    ['a method pattern', `${API}  rules: [{ to: [{ operation: { methods: ["GE*"] } }] }]`, /spec\.rules\[0\]\.to\[0\]: the method prefix "GE"/],
    ['a path suffix', `${API}  rules: [{ to: [{ operation: { paths: ["*.json"] } }] }]`, /spec\.rules\[0\]\.to\[0\]: the path suffix "\.json"/],
    ['(not refused) a rule matching every request', '  selector: { matchLabels: { app: api } }\n  action: ALLOW\n  rules: [{}]', null],
  ])('%s', (_what, spec, expected) => {
    const result = plan(DENY_SHOP + ap('p', spec));
    if (expected === null) {
      expect(problems(result)).toEqual([]); // a rule matching everything: AllowFrom anyone on every TCP port
      return;
    }
    expect(problems(result)).toEqual([expect.stringMatching(new RegExp(`^AuthorizationPolicy shop/p \\(in\\.yaml, document 2\\) ${expected.source}`))]);
  });

  test('a dry-run policy is refused by name: the mesh only observes it', () => {
    const text = DENY_SHOP + ap('p', `${API}  rules: [{ to: [{ operation: { ports: ["8080"] } }] }]`).replace('metadata: { name: p, namespace: shop }',
      'metadata: { name: p, namespace: shop, annotations: { istio.io/dry-run: "true" } }');
    expect(problems(plan(text))).toEqual([expect.stringMatching(/^AuthorizationPolicy shop\/p \(in\.yaml, document 2\) metadata\.annotations: a dry-run policy/)]);
  });

  test('a policy in the root namespace is refused by name', () => {
    const text = ap('root', '  action: ALLOW\n  rules: [{}]').replace('namespace: shop', 'namespace: istio-system');
    expect(problems(plan(text))).toEqual([expect.stringMatching(/^AuthorizationPolicy istio-system\/root \(in\.yaml, document 1\) metadata\.namespace: a policy in the root namespace/)]);
  });

  test('a waypoint policy (targetRefs) for sidecars is refused by name', () => {
    const text = DENY_SHOP + ap('wp', '  targetRefs: [{ kind: Service, group: "", name: api }]\n  action: ALLOW\n  rules: [{ to: [{ operation: { methods: [GET] } }] }]');
    expect(problems(plan(text))).toEqual([expect.stringMatching(/^AuthorizationPolicy shop\/wp \(in\.yaml, document 2\) spec\.targetRefs: a waypoint policy \(targetRefs\) in an import for sidecars/)]);
  });
});

describe('meshModeOf', () => {
  test('is the data plane of the meshed pods, and says why when there is none or both', () => {
    expect(meshModeOf(cluster)).toBe('sidecar');
    const none = ClusterModel.create({ namespaces: [{ name: 'a' }], pods: [{ namespace: 'a', name: 'x', ips: ['10.0.0.1'] }] });
    expect(meshModeOf(none)).toEqual({ problem: expect.stringContaining('no pod of the cluster model is in the mesh') });
    const both = ClusterModel.create({
      namespaces: [{ name: 'a' }],
      pods: [{ namespace: 'a', name: 'x', ips: ['10.0.0.1'], mesh: sidecar }, { namespace: 'a', name: 'y', ips: ['10.0.0.2'], mesh: { enrollment: 'ambient' } }],
    });
    expect(meshModeOf(both)).toEqual({ problem: expect.stringContaining('pods with sidecars and pods in ambient mode') });
  });
});
