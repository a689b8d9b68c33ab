import { Testing, Yaml } from 'cdk8s';
import * as fs from 'fs';
const name = process.argv[2], engine = process.argv[3];
const { example } = require(`/work/wt-import/examples/${name}/app.ts`);
const app = Testing.app();
example.build(app, example.engines[engine]());
const objects = app.charts.flatMap((c: any) => Testing.synth(c));
fs.writeFileSync('/tmp/dbg-out.yaml', Yaml.stringify(...objects));
console.log(objects.map((o: any) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`).join('\n'));
