import * as fs from 'fs';
import * as path from 'path';
import { App, Testing } from 'cdk8s';
import { lint } from './support';
import { Example } from '../../../examples/example';

const root = path.join(__dirname, '..', '..', '..', 'examples');
const cases: [string, string, Example][] = [];
for (const name of fs.readdirSync(root).filter((dir) => fs.existsSync(path.join(root, dir, 'app.ts'))).sort()) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const example = (require(path.join(root, name, 'app.ts')) as { example: Example }).example;
  for (const engine of Object.keys(example.engines)) cases.push([name, engine, example]);
}

/** Policy kinds the linter reads; everything else the examples synthesize (Gateways, Services) is skipped. */
const POLICY_GROUPS = ['networking.k8s.io/', 'cilium.io/', 'projectcalico.org/', 'security.istio.io/', 'policy.networking.k8s.io/'];

describe('the library\'s own output', () => {
  test.each(cases)('%s for %s has no error findings; its only warning is the reminder on STRICT mTLS', (_name, engine, example) => {
    const app: App = Testing.app();
    example.build(app, example.engines[engine]());
    // Charts applied together are linted together, as a cluster holds them (a tenant relies on the platform's DNS allowance).
    const groups = example.chartsAppliedTogether ? [app.charts] : app.charts.map((chart) => [chart]);
    for (const charts of groups) {
      const objects = charts.flatMap((chart) => Testing.synth(chart))
        .filter((object: { apiVersion: string }) => POLICY_GROUPS.some((group) => object.apiVersion.startsWith(group)));
      const findings = lint(objects);
      expect(findings.filter((finding) => finding.severity === 'error')).toEqual([]);
      expect([...new Set(findings.map((finding) => finding.ruleId))].filter((id) => id !== 'istio-strict-mtls')).toEqual([]);
    }
  });
});
