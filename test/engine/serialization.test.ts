import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { AllowDns, AllowFrom, DefaultDeny, Engine, IstioMode, LabelExpression, Peer, PolicyDirection, Port, Workload } from '../../src';
import { covers, mayOverlap } from '../../src/dialects/istio/pod-sets';
import { intersectSelectors, labelSelector, selectorMatches } from '../../src/model';
import { expectValidManifests } from '../helpers/schema';

/** Valid label keys that are also names on Object.prototype. */
const KEYS = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];

const ENGINES: [string, () => Engine, boolean][] = [
  ['kubernetes', () => Engine.kubernetes(), false],
  ['cilium', () => Engine.cilium(), false],
  ['calico', () => Engine.calico(), false],
  ['istio-sidecar-kubernetes', () => Engine.istio({ mode: IstioMode.SIDECAR, cni: Engine.kubernetes() }), true],
  ['istio-ambient-cilium', () => Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.cilium() }), true],
];

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'zt-serialization-'));
}

function documents(dir: string): any[] {
  return fs.readdirSync(dir).sort().flatMap(f => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map(d => d.toJSON()));
}

describe('label keys that are also names on Object.prototype', () => {
  test.each(ENGINES)('are written into selectors on the %s engine, in every file', (_name, engine, identityPeers) => {
    const outdir = tempDir();
    const app = new App({ outdir });
    const first = new Chart(app, 'first', { namespace: 'first' });
    Engine.attach(first, engine());
    new DefaultDeny(first, 'deny');
    new AllowDns(first, 'dns');
    const second = new Chart(app, 'second', { namespace: 'second' });
    Engine.attach(second, engine());
    new DefaultDeny(second, 'deny');
    new AllowDns(second, 'dns');
    for (const key of KEYS) {
      const to = Workload.select({ [key]: 'server' });
      const peers = identityPeers
        ? [Peer.serviceAccount('client', 'first')]
        : [
          Peer.workload(Workload.select({ [key]: 'client' }, { namespace: 'first' })),
          Peer.pods({ namespaceLabels: { [key]: 'yes' }, podLabels: { [key]: 'client' } }),
          Peer.pods({ podExpressions: [LabelExpression.isIn(key, ['a', 'b'])] }),
        ];
      new AllowFrom(second, `allow-${key.toLowerCase()}`, { to, peers, ports: [Port.tcp(8080)] });
    }
    app.synth();

    expect(fs.readdirSync(outdir).sort()).toEqual(['first.k8s.yaml', 'second.k8s.yaml']);
    const objects = documents(outdir);
    expectValidManifests(objects);
    const text = JSON.stringify(objects);
    // A selector on the key: a map entry (Cilium's with its k8s: source prefix) or a Calico selector term.
    const selects = (key: string, value: string) => new RegExp(`"(k8s:)?${key}":"${value}"|${key} == '${value}'`).test(text);
    for (const key of KEYS) {
      expect([key, selects(key, 'server')]).toEqual([key, true]);
      if (!identityPeers) expect([key, selects(key, 'client')]).toEqual([key, true]);
    }
  });
});

describe('a synthesis error', () => {
  test('fails before any chart is written, including the charts before the failing one', () => {
    const outdir = tempDir();
    const app = new App({ outdir });
    const first = new Chart(app, 'first', { namespace: 'first' });
    Engine.attach(first, Engine.kubernetes());
    new DefaultDeny(first, 'deny', { directions: [PolicyDirection.INGRESS] });
    const second = new Chart(app, 'second', { namespace: 'second' });
    Engine.attach(second, Engine.kubernetes());
    new DefaultDeny(second, 'deny'); // egress denied without DNS: a guardrail error
    expect(() => app.synth()).toThrow(/no AllowDns covers these pods/);
    expect(fs.readdirSync(outdir)).toEqual([]);
  });
});

describe('label maps', () => {
  const pods = (labels: Record<string, string>) => ({ namespace: 'a', pods: labelSelector(labels) });

  test('match a pod only by its own labels, never by names on Object.prototype', () => {
    expect(selectorMatches(labelSelector({ constructor: 'x' }), {})).toBe(false);
    expect(selectorMatches(labelSelector({ constructor: 'x' }), { constructor: 'x' })).toBe(true);
    expect(selectorMatches(labelSelector({}, [{ key: 'toString', operator: 'Exists', values: [] }]), {})).toBe(false);
  });

  test('intersect by own keys: a key only one side names stays a plain label', () => {
    expect(intersectSelectors(labelSelector({ app: 'a' }), labelSelector({ constructor: 'x' }))).toEqual(labelSelector({ app: 'a', constructor: 'x' }));
  });

  test('let the Istio guards see that pod sets with a key only one names may overlap', () => {
    expect(mayOverlap(pods({ constructor: 'x' }), pods({}))).toBe(true);
    expect(mayOverlap(pods({}), pods({ constructor: 'x' }))).toBe(true);
    expect(mayOverlap(pods({ constructor: 'x' }), pods({ constructor: 'y' }))).toBe(false);
    expect(covers(pods({ constructor: 'x' }), pods({}))).toBe(false);
  });
});

describe('a chart label key cdk8s cannot serialize', () => {
  test('fails in validation, before any file is written', () => {
    const outdir = tempDir();
    const app = new App({ outdir });
    const first = new Chart(app, 'first', { namespace: 'first' });
    Engine.attach(first, Engine.kubernetes());
    new DefaultDeny(first, 'deny', { directions: [PolicyDirection.INGRESS] });
    const second = new Chart(app, 'second', { namespace: 'second', labels: { constructor: 'x' } });
    Engine.attach(second, Engine.kubernetes());
    new DefaultDeny(second, 'deny', { directions: [PolicyDirection.INGRESS] });
    expect(() => app.synth()).toThrow('[second/deny] the labels of chart second include the key(s) constructor');
    expect(fs.readdirSync(outdir)).toEqual([]);
  });
});
