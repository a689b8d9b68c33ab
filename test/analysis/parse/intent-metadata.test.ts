import { Chart, Testing } from 'cdk8s';
import { AllowDns, AllowFrom, DefaultDeny, Engine, IstioMode, Peer, Port, Workload } from '../../../src';
import { formatIntentRef, intentFromLabels, parsePolicies } from '../../../src/analysis';
import { synthesizedPolicies } from '../../../src/analysis/intent/synthesized-policies';

const api = Workload.select({ app: 'api' }, { serviceAccount: 'api', exclusiveServiceAccount: true });
const web = Workload.select({ app: 'web' }, { serviceAccount: 'web', exclusiveServiceAccount: true });

function chart(engine: Engine): Chart {
  const c = new Chart(Testing.app(), 'prod', { namespace: 'prod' });
  Engine.attach(c, engine);
  new DefaultDeny(c, 'deny');
  new AllowDns(c, 'dns');
  new AllowFrom(c, 'web-to-api', { to: api, peers: [Peer.workload(web)], ports: [Port.tcp(8080)] });
  return c;
}

describe('the analyzer reads the intent every rendered object names', () => {
  test.each([
    ['kubernetes', Engine.kubernetes()],
    ['cilium', Engine.cilium()],
    ['calico', Engine.calico()],
    ['istio (sidecar) on Kubernetes', Engine.istio({ mode: IstioMode.SIDECAR, cni: Engine.kubernetes() })],
  ] as const)('on %s, every policy carries its intent, and so does every rule', (_name, engine) => {
    const policies = synthesizedPolicies(chart(engine));
    expect(policies.length).toBeGreaterThan(2);
    for (const p of policies) {
      expect(p.intent).toBeDefined();
      expect(['DefaultDeny prod/deny', 'AllowDns prod/dns', 'AllowFrom prod/web-to-api']).toContain(
        formatIntentRef({ kind: p.intent!.kind, constructPath: p.intent!.constructPath }));
    }
    const allow = policies.find(p => p.ref.name === 'web-to-api-ingress' && p.layer === 'network')!;
    expect(allow.intent).toEqual({ kind: 'AllowFrom', constructPath: 'prod/web-to-api' });
  });

  test('Calico rule metadata and Cilium rule labels become the rule\'s intent', () => {
    for (const engine of [Engine.calico(), Engine.cilium()]) {
      const rules = synthesizedPolicies(chart(engine)).flatMap(p => [...(p.ingress?.rules ?? []), ...(p.egress?.rules ?? [])]);
      expect(rules.length).toBeGreaterThan(0);
      // Cilium's default deny is rules too (`ingress: [{}]`).
      for (const r of rules) expect(r.intent?.constructPath).toMatch(/^prod\/(deny|dns|web-to-api)$/);
    }
  });

  test('a rule naming another intent than its object keeps its own (hand-written Calico rules)', () => {
    const [policy] = parsePolicies({
      file: 'calico.yaml',
      text: `apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: web
  namespace: prod
  annotations:
    zero-trust.cdk8s.io/intent: AllowFrom
    zero-trust.cdk8s.io/construct-path: prod/web
spec:
  selector: app == 'web'
  ingress:
  - action: Allow
    metadata:
      annotations:
        zero-trust.cdk8s.io/intent: AllowFrom
        zero-trust.cdk8s.io/construct-path: prod/other
  - action: Deny
`,
    });
    expect(policy.intent).toEqual({ kind: 'AllowFrom', constructPath: 'prod/web' });
    expect(policy.ingress!.rules.map(r => r.intent?.constructPath)).toEqual(['prod/other', undefined]);
  });

  test('objects without the annotations, or with only one of them, name no intent', () => {
    const policies = parsePolicies({
      file: 'np.yaml',
      text: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a, namespace: prod}
spec: {podSelector: {}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b, namespace: prod, annotations: {zero-trust.cdk8s.io/intent: DefaultDeny}}
spec: {podSelector: {}}
`,
    });
    expect(policies.map(p => p.intent)).toEqual([undefined, undefined]);
  });

  test('throws for an annotation value that is not a string, naming the field, as the API server refuses it', () => {
    expect(() => parsePolicies({
      file: 'np.yaml',
      text: `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: a, namespace: prod, annotations: {zero-trust.cdk8s.io/intent: 3}}
spec: {podSelector: {}}
`,
    })).toThrow('np.yaml, document 1: metadata.annotations["zero-trust.cdk8s.io/intent"]: expected a string value, got number 3 (quote it: "3")');
  });

  test('Hubble\'s Policy.labels strings name the intent whatever their source prefix', () => {
    expect(intentFromLabels([
      'k8s:io.cilium.k8s.policy.derived-from=CiliumNetworkPolicy',
      'k8s:io.cilium.k8s.policy.name=web-to-api-ingress',
      'k8s:zero-trust.cdk8s.io/construct-path=prod/web-to-api',
      'k8s:zero-trust.cdk8s.io/intent=AllowFrom',
    ])).toEqual({ kind: 'AllowFrom', constructPath: 'prod/web-to-api' });
    expect(intentFromLabels(['unspec:zero-trust.cdk8s.io/construct-path=a/b=c', 'zero-trust.cdk8s.io/intent=X'])).toEqual({ kind: 'X', constructPath: 'a/b=c' });
    expect(intentFromLabels(['k8s:io.cilium.k8s.policy.name=x'])).toBeUndefined();
  });
});
