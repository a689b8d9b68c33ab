import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { lint } from './support';
import { Example } from '../../../examples/example';
import { Engine, IstioMode, ZeroTrustNamespace } from '../../../src';

const root = path.join(__dirname, '..', '..', '..', 'examples');
const cases: [string, string, Example][] = [];
for (const name of fs.readdirSync(root).filter((dir) => fs.existsSync(path.join(root, dir, 'app.ts'))).sort()) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const example = (require(path.join(root, name, 'app.ts')) as { example: Example }).example;
  for (const engine of Object.keys(example.engines)) cases.push([name, engine, example]);
}

/** Policy kinds the linter reads; everything else the library synthesizes (Gateways, Services) is skipped. */
const POLICY_GROUPS = ['networking.k8s.io/', 'cilium.io/', 'projectcalico.org/', 'security.istio.io/', 'policy.networking.k8s.io/'];

/**
 * Every finding of `lint --strict` on the charts of an app, as `rule object: path`: chart by chart, or
 * all charts in one run when they are applied together, as a cluster holds them (a tenant relies on
 * the platform's DNS allowance).
 */
function strictFindings(app: App, appliedTogether = false): string[] {
  const groups = appliedTogether ? [app.charts] : app.charts.map((chart) => [chart]);
  return groups.flatMap((charts) => {
    const objects = charts.flatMap((chart) => Testing.synth(chart))
      .filter((object: { apiVersion: string }) => POLICY_GROUPS.some((group) => object.apiVersion.startsWith(group)));
    return lint(objects).map((finding) => `${finding.ruleId} ${finding.object.name}: ${finding.path} (${finding.message})`);
  });
}

const ENGINES: Record<string, () => Engine> = {
  'kubernetes': () => Engine.kubernetes(),
  'cilium': () => Engine.cilium(),
  'calico': () => Engine.calico(),
  'istio sidecar on kubernetes': () => Engine.istio({ mode: IstioMode.SIDECAR, cni: Engine.kubernetes() }),
  'istio ambient on cilium': () => Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.cilium() }),
  'istio ambient on calico': () => Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.calico() }),
};

describe('lint --strict on the library\'s own output', () => {
  test.each(cases)('%s for %s has no finding at all', (_name, engine, example) => {
    const app: App = Testing.app();
    example.build(app, example.engines[engine]());
    expect(strictFindings(app, example.chartsAppliedTogether === true)).toEqual([]);
  });

  test.each(Object.keys(ENGINES))('ZeroTrustNamespace with its defaults on %s has no finding at all', (name) => {
    const app = Testing.app();
    const chart = new Chart(app, 'team', { namespace: 'team' });
    Engine.attach(chart, ENGINES[name]());
    // A CNI alone filters but does not encrypt: the one prop the pattern requires there.
    new ZeroTrustNamespace(chart, 'zt', name.startsWith('istio') ? {} : { acknowledgeNoEncryption: true });
    expect(strictFindings(app)).toEqual([]);
  });
});
