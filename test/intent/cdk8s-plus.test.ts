// cdk8s-plus interop (issue 14): workloads, pods and namespaces of any cdk8s-plus major line from 28 on are
// read structurally. Every case runs against the oldest supported line and a current one; what a
// Deployment's pods are is read from the Deployment that cdk8s-plus synthesizes (its spec.selector, the
// selector Kubernetes itself uses), never restated by hand.
import { Chart, Testing } from 'cdk8s';
import * as kplus28 from 'cdk8s-plus-28';
import * as kplus33 from 'cdk8s-plus-33';
import { AllowDns, AllowFrom, DefaultDeny, Engine, Peer, Port, Workload } from '../../src';
import { expectValidManifests } from '../helpers/schema';
import { byName, errorOf } from '../helpers/synth';

// One line's classes at a time; `as any` only where TypeScript cannot tell that both values come from the same line.
type Plus = typeof kplus28 | typeof kplus33;

const LINES: Array<[string, Plus]> = [['cdk8s-plus-28', kplus28], ['cdk8s-plus-33', kplus33]];

function shop(plus: Plus, engine: Engine) {
  const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
  Engine.attach(chart, engine);
  const account = new plus.ServiceAccount(chart, 'web-sa');
  const web = new plus.Deployment(chart, 'web', { containers: [{ image: 'nginx', portNumber: 80 }], serviceAccount: account });
  const api = new plus.Deployment(chart, 'api', { containers: [{ image: 'nginx', portNumber: 8080 }] });
  new DefaultDeny(chart, 'default-deny');
  new AllowDns(chart, 'allow-dns');
  return { chart, web, api, account };
}

/** Synthesizes a chart and validates its policies (the cdk8s-plus objects are not ours to validate). */
function synthValid(chart: Chart): any[] {
  const objs = Testing.synth(chart);
  expectValidManifests(objs.filter(o => o.apiVersion !== 'v1' && o.apiVersion !== 'apps/v1'));
  return objs;
}

/** The selector the synthesized Deployment uses for its own pods. */
function deploymentSelector(objs: any[], deployment: { name: string }): Record<string, string> {
  return byName(objs, deployment.name, 'Deployment').spec.selector.matchLabels;
}

describe.each(LINES)('with %s', (_line, plus) => {
  test('a Deployment is selected by the labels Kubernetes uses for its pods, without its service account', () => {
    const { chart, web, api } = shop(plus, Engine.kubernetes());
    new AllowFrom(chart, 'web-to-api', { to: Workload.fromPodSelector(api), peers: [Peer.workload(Workload.fromPodSelector(web))], ports: [Port.tcp(8080)] });
    const objs = synthValid(chart);
    const ingress = byName(objs, 'web-to-api-ingress', 'NetworkPolicy');
    expect(ingress.metadata.namespace).toBe('shop');
    expect(ingress.spec.podSelector).toEqual({ matchLabels: deploymentSelector(objs, api) });
    expect(ingress.spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: deploymentSelector(objs, web) } }]);
    const egress = byName(objs, 'web-to-api-egress-shop', 'NetworkPolicy');
    expect(egress.spec.podSelector).toEqual({ matchLabels: deploymentSelector(objs, web) });
  });

  test('the service account is taken only when asked, and an engine with identity selects by it', () => {
    const { chart, web, api, account } = shop(plus, Engine.cilium());
    const from = Workload.fromPodSelector(web, { useWorkloadServiceAccount: true });
    new AllowFrom(chart, 'web-to-api', { to: Workload.fromPodSelector(api), peers: [Peer.workload(from)], ports: [Port.tcp(8080)] });
    const objs = synthValid(chart);
    const accountName = byName(objs, account.name, 'ServiceAccount').metadata.name;
    const ingress = byName(objs, 'web-to-api-ingress', 'CiliumNetworkPolicy');
    // Cilium names Kubernetes pod labels with the `k8s:` source prefix.
    const podLabels = Object.fromEntries(Object.entries(deploymentSelector(objs, web)).map(([k, v]) => [`k8s:${k}`, v]));
    expect(ingress.spec.ingress[0].fromEndpoints[0].matchLabels).toEqual({
      ...podLabels, 'k8s:io.kubernetes.pod.namespace': 'shop', 'k8s:io.cilium.k8s.policy.serviceaccount': accountName,
    });
  });

  test('Peer.fromPodSelector takes the service account only when asked', () => {
    const { web } = shop(plus, Engine.kubernetes());
    expect(Peer.fromPodSelector(web)._resolve('shop')).not.toHaveProperty('serviceAccount');
    expect(Peer.fromPodSelector(web, { useWorkloadServiceAccount: true })._resolve('shop')).toMatchObject({ serviceAccount: web.serviceAccount!.name });
  });

  test('a Deployment in its own namespace is selected there', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const deployment = new plus.Deployment(chart, 'db', { metadata: { namespace: 'data' }, containers: [{ image: 'postgres', portNumber: 5432 }] });
    expect(Workload.fromPodSelector(deployment)._toPodSet('shop').namespace).toBe('data');
    expect(Peer.fromPodSelector(deployment)._resolve('shop')).toMatchObject({ namespaces: { kind: 'name', name: 'data' } });
  });

  test('pods selected across namespaces by labels become one peer, and a namespace selects its pods', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const selected = plus.Pods.select(chart, 'prom', { labels: { app: 'prometheus' }, namespaces: plus.Namespaces.select(chart, 'mon', { labels: { team: 'monitoring' } }) as any });
    expect(Peer.fromPodSelector(selected)._resolve('shop')).toEqual({
      kind: 'pods',
      namespaces: { kind: 'labels', selector: { matchLabels: { team: 'monitoring' }, matchExpressions: [] } },
      pods: { matchLabels: { app: 'prometheus' }, matchExpressions: [] },
    });
    const ns = new plus.Namespace(chart, 'monitoring', { metadata: { name: 'monitoring' } });
    expect(Peer.fromNamespaceSelector(ns)._resolve('shop')).toEqual({
      kind: 'pods', namespaces: { kind: 'name', name: 'monitoring' }, pods: { matchLabels: {}, matchExpressions: [] },
    });
  });

  test('fails on the Kubernetes engine saying the service account came from the Deployment, and dropping the option synthesizes', () => {
    const { chart, web, api } = shop(plus, Engine.kubernetes());
    new AllowFrom(chart, 'web-to-api', {
      to: Workload.fromPodSelector(api),
      peers: [Peer.workload(Workload.fromPodSelector(web, { useWorkloadServiceAccount: true }))],
      ports: [Port.tcp(8080)],
    });
    const message = errorOf(() => Testing.synth(chart));
    const origin = `${web.serviceAccount!.name}, the serviceAccount of Deployment shop/web (taken by useWorkloadServiceAccount)`;
    // Both halves of the flow name the origin, and offer to leave the account out first.
    const lines = message.split('\n').filter(l => l.includes('[shop/web-to-api]'));
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).toContain(`The service account is ${origin}.`);
      expect(line).toContain('Fix: drop useWorkloadServiceAccount to select those pods by their labels only, or ');
    }

    const fixed = shop(plus, Engine.kubernetes());
    new AllowFrom(fixed.chart, 'web-to-api', { to: Workload.fromPodSelector(fixed.api), peers: [Peer.workload(Workload.fromPodSelector(fixed.web))], ports: [Port.tcp(8080)] });
    expect(() => synthValid(fixed.chart)).not.toThrow();
  });

  test('fails when asked for the service account of a workload that names none', () => {
    const { chart, api } = shop(plus, Engine.cilium());
    expect(() => new AllowFrom(chart, 'x', { to: Workload.fromPodSelector(api, { useWorkloadServiceAccount: true }), peers: [Peer.anyone()], ports: [Port.tcp(80)] }))
      .toThrow('[shop/x] invalid service account of Deployment shop/api (useWorkloadServiceAccount): got nothing; expected a workload that names the service account its pods run as. '
        + 'Fix: give Deployment shop/api a serviceAccount, name one with the serviceAccount option, or drop useWorkloadServiceAccount');
    expect(() => new AllowFrom(chart, 'y', { to: Workload.allPods(), peers: [Peer.fromPodSelector(api, { useWorkloadServiceAccount: true })], ports: [Port.tcp(80)] }))
      .toThrow('invalid service account of Deployment shop/api (useWorkloadServiceAccount)');
  });

  test('fails when given both a service account and useWorkloadServiceAccount', () => {
    const { chart, web } = shop(plus, Engine.cilium());
    expect(() => new AllowFrom(chart, 'x', {
      to: Workload.fromPodSelector(web, { useWorkloadServiceAccount: true, serviceAccount: 'other' }), peers: [Peer.anyone()], ports: [Port.tcp(80)],
    })).toThrow('invalid serviceAccount of Workload.fromPodSelector() for Deployment shop/web: got "other"; expected either serviceAccount or useWorkloadServiceAccount, not both');
  });

  test('fails when the namespace option contradicts the namespace the workload is in', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const deployment = new plus.Deployment(chart, 'db', { metadata: { namespace: 'data' }, containers: [{ image: 'postgres', portNumber: 5432 }] });
    expect(() => new AllowFrom(chart, 'x', { to: Workload.fromPodSelector(deployment, { namespace: 'shop' }), peers: [Peer.anyone()], ports: [Port.tcp(5432)] }))
      .toThrow('invalid namespace option of Workload.fromPodSelector() for Deployment shop/db: got "shop"; expected the namespace its pods are in, "data" (metadata.namespace of Deployment shop/db)');
  });

  test('fails for pods of several namespaces given to Workload.fromPodSelector', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const selected = plus.Pods.select(chart, 'prom', { labels: { app: 'prometheus' }, namespaces: plus.Namespaces.select(chart, 'mon', { labels: { team: 'monitoring' } }) as any });
    expect(() => new AllowFrom(chart, 'x', { to: Workload.fromPodSelector(selected), peers: [Peer.anyone()], ports: [Port.tcp(9090)] }))
      .toThrow('invalid namespaces of the cdk8s-plus selector Pods shop/prom: got "a namespace label selector"; expected pods of exactly one namespace');
  });
});

describe('values that are not cdk8s-plus objects (untyped callers)', () => {
  const chart = () => new Chart(Testing.app(), 'shop', { namespace: 'shop' });

  test.each([
    ['undefined', undefined, 'undefined'],
    ['a string', 'web', 'web'],
    ['a plain object', {}, 'Object'],
  ])('fails for %s given to Workload.fromPodSelector, naming what was expected', (_name, value, shown) => {
    expect(() => new AllowFrom(chart(), 'x', { to: Workload.fromPodSelector(value as any), peers: [Peer.anyone()], ports: [Port.tcp(80)] }))
      .toThrow(`[shop/x] invalid selector of Workload.fromPodSelector(): got ${JSON.stringify(shown)}; expected a cdk8s-plus workload, pod or pod selector`);
  });

  test('fails for a pod selector whose label selector cdk8s-plus cannot render', () => {
    const fake = { node: { path: 'shop/fake' }, toPodSelectorConfig: () => ({ labelSelector: { isEmpty: () => false } }) };
    expect(() => new AllowFrom(chart(), 'x', { to: Workload.allPods(), peers: [Peer.fromPodSelector(fake as any)], ports: [Port.tcp(80)] }))
      .toThrow('invalid label selector of Object shop/fake: got "Object"; expected a cdk8s-plus LabelSelector (cdk8s-plus-28 or later)');
  });

  test('fails for a useWorkloadServiceAccount that is not a boolean', () => {
    const c = chart();
    const web = new kplus33.Deployment(c, 'web', { containers: [{ image: 'nginx' }] });
    expect(() => new AllowFrom(c, 'x', { to: Workload.fromPodSelector(web, { useWorkloadServiceAccount: 'yes' as any }), peers: [Peer.anyone()], ports: [Port.tcp(80)] }))
      .toThrow('invalid useWorkloadServiceAccount of Workload.fromPodSelector(): got "yes"; expected true or false');
    expect(() => new AllowFrom(c, 'y', { to: Workload.allPods(), peers: [Peer.fromPodSelector(web, { useWorkloadServiceAccount: 1 as any })], ports: [Port.tcp(80)] }))
      .toThrow('invalid useWorkloadServiceAccount of Peer.fromPodSelector(): got 1; expected true or false');
  });

  test('fails for a value given to Peer.fromNamespaceSelector that selects no namespaces', () => {
    expect(() => new AllowFrom(chart(), 'x', { to: Workload.allPods(), peers: [Peer.fromNamespaceSelector(null as any)], ports: [Port.tcp(80)] }))
      .toThrow('[shop/x] invalid selector of Peer.fromNamespaceSelector(): got "null"; expected a cdk8s-plus namespace or namespace selector');
  });
});
