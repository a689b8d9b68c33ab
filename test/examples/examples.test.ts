import * as fs from 'fs';
import * as path from 'path';
import { App, Testing } from 'cdk8s';
import { Example } from '../../examples/example';
import { expectValidManifests } from '../helpers/schema';

const root = path.join(__dirname, '..', '..', 'examples');
const cases: [string, string, Example][] = [];
for (const name of fs.readdirSync(root).filter(d => fs.existsSync(path.join(root, d, 'app.ts'))).sort()) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const example: Example = require(path.join(root, name, 'app.ts')).example;
  for (const engine of Object.keys(example.engines)) cases.push([name, engine, example]);
}

/** Synthesizes an example for one engine, as the `examples` task does, and returns every chart's objects. */
export function synthExample(example: Example, engine: string): any[] {
  const app: App = Testing.app();
  example.build(app, example.engines[engine]());
  return app.charts.flatMap(c => Testing.synth(c));
}

describe('examples', () => {
  test('there is at least the production example', () => {
    expect(cases.map(([n, e]) => `${n}/${e}`)).toContain('production/kubernetes');
  });

  test.each(cases)('%s synthesizes for %s into objects the vendors\' schemas accept, unchanged from the reviewed snapshot', (name, engine, example) => {
    const objs = synthExample(example, engine);
    expect(objs.length).toBeGreaterThan(0);
    expectValidManifests(objs);
    expect(objs).toMatchSnapshot();
  });
});
