// Synthesizes every example in examples/<name>/app.ts for every engine it
// declares, into dist/examples/<name>/<engine>/*.k8s.yaml.
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { Example } from './example';

const root = __dirname;
const outRoot = path.join(root, '..', 'dist', 'examples');
const names = fs.readdirSync(root).filter(d => fs.existsSync(path.join(root, d, 'app.ts'))).sort();
let count = 0;
for (const name of names) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const example: Example = require(path.join(root, name, 'app.ts')).example;
  for (const [engineName, makeEngine] of Object.entries(example.engines)) {
    const outdir = path.join(outRoot, name, engineName);
    fs.rmSync(outdir, { recursive: true, force: true });
    const app = new App({ outdir });
    example.build(app, makeEngine());
    app.synth();
    const files = fs.readdirSync(outdir).filter(f => f.endsWith('.k8s.yaml'));
    count += files.length;
    console.log(`${name}/${engineName}: ${files.length} file(s) in ${path.relative(process.cwd(), outdir)} — ${example.description}`);
  }
}
console.log(`synthesized ${names.length} example(s), ${count} file(s)`);
