import * as fc from 'fast-check';
import { ClusterModel, PodInput } from '../../../src/analysis';
import { selectWorkloads } from '../../../src/importer/recommend/workload-selection';

const pod = (name: string, labels: Record<string, string>, owner?: { kind: string; name: string }, namespace = 'shop'): PodInput =>
  ({ namespace, name, labels, ...(owner ? { owner } : {}) });

function cluster(pods: PodInput[]): ClusterModel {
  return ClusterModel.create({ namespaces: [{ name: 'shop' }, { name: 'other' }], pods });
}

const summary = (c: ClusterModel, options = {}) => {
  const s = selectWorkloads(c, ['shop'], options);
  return {
    workloads: s.workloads.map(w => ({ name: w.name, pods: w.pods.map(p => p.name), selector: w.selector })),
    unseparable: s.unseparable.map(u => ({ owner: u.owner, reason: u.reason })),
  };
};

describe('selectWorkloads', () => {
  test('groups the pods of a ReplicaSet as its Deployment and selects them by app.kubernetes.io/name', () => {
    const rs = { kind: 'ReplicaSet', name: 'web-7d9c8f5b9' };
    const labels = { 'app.kubernetes.io/name': 'web', 'pod-template-hash': '7d9c8f5b9', 'tier': 'front' };
    const s = selectWorkloads(cluster([pod('web-7d9c8f5b9-abcde', labels, rs), pod('web-7d9c8f5b9-fghij', labels, rs), pod('db-0', { app: 'db' })]), ['shop']);
    const web = s.workloads.find(w => w.name === 'web')!;
    expect(web.pods.map(p => p.name)).toEqual(['web-7d9c8f5b9-abcde', 'web-7d9c8f5b9-fghij']);
    expect(web.owner).toBe('Deployment web (from ReplicaSet web-7d9c8f5b9)');
    expect(web.selector).toEqual({ kind: 'labels', labels: { 'app.kubernetes.io/name': 'web' } });
    expect(web.reason).toBe('app.kubernetes.io/name=web: the app.kubernetes.io/name label its pods share; selects exactly its 2 pods of namespace shop');
  });

  test('infers a Deployment from its pods\' names and pod-template-hash when the snapshot has no ownerReferences', () => {
    const labels = { 'app': 'web', 'pod-template-hash': '5f6b7c' };
    const s = summary(cluster([pod('web-5f6b7c-aaaaa', labels), pod('web-5f6b7c-bbbbb', labels)]));
    expect(s.workloads).toEqual([{ name: 'web', pods: ['web-5f6b7c-aaaaa', 'web-5f6b7c-bbbbb'], selector: { kind: 'labels', labels: { app: 'web' } } }]);
  });

  test('adds app.kubernetes.io/instance when two releases of one application share the name', () => {
    const a = { 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/instance': 'cache' };
    const b = { 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/instance': 'sessions' };
    const s = summary(cluster([pod('cache-0', a, { kind: 'StatefulSet', name: 'cache' }), pod('sessions-0', b, { kind: 'StatefulSet', name: 'sessions' })]));
    expect(s.workloads.map(w => w.selector)).toEqual([
      { kind: 'labels', labels: a },
      { kind: 'labels', labels: b },
    ]);
  });

  test('falls back to every label the pods share, never one set per revision', () => {
    const s = summary(cluster([
      pod('api-0', { 'team': 'pay', 'role': 'api', 'controller-revision-hash': 'api-1' }, { kind: 'StatefulSet', name: 'api' }),
      pod('worker-0', { team: 'pay', role: 'worker' }, { kind: 'StatefulSet', name: 'worker' }),
    ]));
    expect(s.workloads.map(w => w.selector)).toEqual([
      { kind: 'labels', labels: { team: 'pay', role: 'api' } },
      { kind: 'labels', labels: { team: 'pay', role: 'worker' } },
    ]);
  });

  test('selects every pod of the namespace for its only workload when its pods share no label', () => {
    const s = summary(cluster([pod('a', { x: '1' }, { kind: 'DaemonSet', name: 'agent' }), pod('b', { x: '2' }, { kind: 'DaemonSet', name: 'agent' })]));
    expect(s.workloads).toEqual([{ name: 'agent', pods: ['a', 'b'], selector: { kind: 'all-pods' } }]);
  });

  test('fails to separate a workload whose shared labels also select another workload\'s pods, and names them', () => {
    const s = summary(cluster([pod('a', { app: 'web', track: 'stable' }), pod('b', { app: 'web' })]));
    // a: app=web also selects b; b's only label app=web selects a too.
    expect(s.workloads).toEqual([{ name: 'a', pods: ['a'], selector: { kind: 'labels', labels: { app: 'web', track: 'stable' } } }]);
    expect(s.unseparable).toEqual([{ owner: 'Pod b (no controller in the snapshot)', reason: 'the labels its pods share (app=web) also select shop/a' }]);
  });

  test('merges workloads no selector tells apart when asked, and says which', () => {
    const s = selectWorkloads(cluster([pod('a', { app: 'web', track: 'stable' }), pod('b', { app: 'web' }), pod('c', { app: 'db' })]), ['shop'], { mergeUnseparable: true });
    expect(s.unseparable).toEqual([]);
    const merged = s.workloads.find(w => w.merged)!;
    expect(merged.pods.map(p => p.name)).toEqual(['a', 'b']);
    expect(merged.selector).toEqual({ kind: 'labels', labels: { app: 'web' } });
    expect(merged.reason).toMatch(/^merged \(--merge-workloads\): no selector tells Pod a \(no controller in the snapshot\), Pod b \(no controller in the snapshot\) apart; app=web/);
  });

  // Brute force: a selector is exact when the pods of the namespace it matches are the workload's pods.
  const labelArb = fc.dictionary(fc.constantFrom('app', 'app.kubernetes.io/name', 'team', 'pod-template-hash'), fc.constantFrom('a', 'b'), { maxKeys: 3 });
  const podsArb = fc.array(fc.record({ labels: labelArb, owner: fc.option(fc.constantFrom('x', 'y', 'z'), { nil: undefined }) }), { minLength: 1, maxLength: 8 });
  const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

  test('every chosen selector selects exactly its workload\'s pods, and every pod is in one workload or reported unseparable (property)', () => {
    fc.assert(fc.property(podsArb, fc.boolean(), (specs, merge) => {
      const inputs = specs.map((s, i) => pod(`p${i}`, s.labels, s.owner ? { kind: 'StatefulSet', name: s.owner } : undefined));
      const c = cluster(inputs);
      const s = selectWorkloads(c, ['shop'], { mergeUnseparable: merge });
      const seen = new Map<string, number>();
      for (const w of s.workloads) {
        const members = new Set(w.pods.map(p => p.name));
        for (const p of inputs) {
          const selected = w.selector.kind === 'all-pods' || matches(w.selector.labels, p.labels as Record<string, string>);
          expect(selected).toBe(members.has(p.name));
        }
        for (const p of w.pods) seen.set(p.name, (seen.get(p.name) ?? 0) + 1);
      }
      for (const u of s.unseparable) for (const p of u.pods) seen.set(p.name, (seen.get(p.name) ?? 0) + 1);
      expect(inputs.map(p => seen.get(p.name))).toEqual(inputs.map(() => 1));
      if (merge) expect(s.unseparable).toEqual([]);
      // Replicas of one controller are never split.
      for (const owner of ['x', 'y', 'z']) {
        const replicas = inputs.filter((_, i) => specs[i].owner === owner).map(p => p.name);
        const holders = new Set(replicas.map(name => [...s.workloads, ...s.unseparable].findIndex(w => w.pods.some(p => p.name === name))));
        expect(holders.size).toBeLessThanOrEqual(1);
      }
    }), { numRuns: 300 });
  });
});
