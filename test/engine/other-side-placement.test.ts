import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { AllowDns, AllowFrom, AllowTo, DefaultDeny, Engine, IstioMode, Peer, Port, Workload } from '../../src';
import { synthesizedPolicies } from '../../src/analysis/intent/synthesized-policies';

/** Each written file's objects as `kind namespace/name`. */
function files(app: App): Record<string, string[]> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-placement-'));
  (app as any).outdir = outdir;
  app.synth();
  const out: Record<string, string[]> = {};
  for (const f of fs.readdirSync(outdir).sort()) {
    out[f] = parseAllDocuments(fs.readFileSync(path.join(outdir, f), 'utf8')).map(d => d.toJSON()).map(o => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
  }
  return out;
}

/** A chart per namespace, each isolated and with DNS. */
function namespaceChart(app: App, namespace: string, engine: () => Engine = () => Engine.kubernetes()): Chart {
  const chart = new Chart(app, namespace, { namespace });
  Engine.attach(chart, engine());
  new DefaultDeny(chart, 'deny');
  new AllowDns(chart, 'dns');
  return chart;
}

const prometheus = Workload.select({ app: 'prometheus' }, { namespace: 'monitoring' });
const backend = Workload.select({ app: 'backend-api' });

describe('the other side of a pod-to-pod allowance', () => {
  test('goes into the chart that owns its namespace: every file holds only its own namespace', () => {
    const app = Testing.app();
    const production = namespaceChart(app, 'production');
    namespaceChart(app, 'monitoring');
    namespaceChart(app, 'data');
    new AllowFrom(production, 'scrape', { to: backend, peers: [Peer.workload(prometheus)], ports: [Port.tcp(9090)] });
    new AllowTo(production, 'to-db', { workload: backend, peers: [Peer.workload(Workload.select({ app: 'db' }, { namespace: 'data' }))], ports: [Port.tcp(5432)] });
    const written = files(app);
    expect(written['production.k8s.yaml']).toEqual(expect.arrayContaining(['NetworkPolicy production/scrape-ingress', 'NetworkPolicy production/to-db-egress']));
    expect(written['monitoring.k8s.yaml']).toContain('NetworkPolicy monitoring/scrape-egress-monitoring');
    expect(written['data.k8s.yaml']).toContain('NetworkPolicy data/to-db-ingress-data');
    for (const [file, objects] of Object.entries(written)) {
      const ns = file.replace('.k8s.yaml', '');
      expect([file, objects.filter(o => !o.includes(` ${ns}/`))]).toEqual([file, []]);
    }
  });

  test('stays in the intent\'s chart when no chart owns its namespace', () => {
    const app = Testing.app();
    const production = namespaceChart(app, 'production');
    const other = new Chart(app, 'cluster-tools');
    Engine.attach(other, Engine.kubernetes());
    new DefaultDeny(other, 'deny', { namespace: 'monitoring' });
    new AllowDns(other, 'dns', { namespace: 'monitoring' });
    new AllowFrom(production, 'scrape', { to: backend, peers: [Peer.workload(prometheus)], ports: [Port.tcp(9090)] });
    expect(files(app)['production.k8s.yaml']).toContain('NetworkPolicy monitoring/scrape-egress-monitoring');
  });

  test('goes into the chart of the first construct path when several charts own the namespace', () => {
    const app = Testing.app();
    const production = namespaceChart(app, 'production');
    const b = new Chart(app, 'monitoring-b', { namespace: 'monitoring' });
    const a = new Chart(app, 'monitoring-a', { namespace: 'monitoring' });
    Engine.attach(a, Engine.kubernetes());
    Engine.attach(b, Engine.kubernetes());
    new DefaultDeny(b, 'deny');
    new AllowDns(a, 'dns');
    new AllowFrom(production, 'scrape', { to: backend, peers: [Peer.workload(prometheus)], ports: [Port.tcp(9090)] });
    const written = files(app);
    expect(written['monitoring-a.k8s.yaml']).toContain('NetworkPolicy monitoring/scrape-egress-monitoring');
    expect(written['monitoring-b.k8s.yaml']).not.toContain('NetworkPolicy monitoring/scrape-egress-monitoring');
  });

  test('moves with its Istio objects too: the destination side of an AllowTo in the destination\'s chart', () => {
    const app = Testing.app();
    const engine = () => Engine.istio({ mode: IstioMode.SIDECAR, cni: Engine.calico() });
    const production = namespaceChart(app, 'production', engine);
    namespaceChart(app, 'data', engine);
    new AllowTo(production, 'to-db', { workload: Workload.allPods({ serviceAccount: 'backend' }), peers: [Peer.workload(Workload.select({ app: 'db' }, { namespace: 'data' }))], ports: [Port.tcp(5432)] });
    const written = files(app);
    expect(written['data.k8s.yaml']).toEqual(expect.arrayContaining(['NetworkPolicy data/to-db-ingress-data', 'AuthorizationPolicy data/to-db-ingress-data']));
    expect(written['production.k8s.yaml'].filter(o => o.includes('data/'))).toEqual([]);
  });
});

describe('the analysis of one chart', () => {
  test('includes the other sides its intents filed into other charts, so a chart\'s verdicts do not depend on where they are filed', () => {
    const app = Testing.app();
    const production = namespaceChart(app, 'production');
    namespaceChart(app, 'monitoring');
    new AllowFrom(production, 'scrape', { to: backend, peers: [Peer.workload(prometheus)], ports: [Port.tcp(9090)] });
    const names = synthesizedPolicies(production).map(p => p.ref.name);
    expect(names).toEqual(expect.arrayContaining(['scrape-ingress', 'scrape-egress-monitoring']));
    // The monitoring chart's own policies are not the production chart's.
    expect(synthesizedPolicies(production).filter(p => p.ref.namespace === 'monitoring').map(p => p.ref.name)).toEqual(['scrape-egress-monitoring']);
  });
});
