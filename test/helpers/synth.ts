import { App, Chart, Testing } from 'cdk8s';
import { expectValidManifests } from './schema';
import { TEST_TARGET } from './target';
import { Engine } from '../../src';

/** A chart in namespace `production` with the given engine attached (Kubernetes for the test cluster by default). */
export function chartWith(engine: Engine = Engine.kubernetes({ target: TEST_TARGET }), namespace: string | undefined = 'production', app: App = Testing.app()): Chart {
  const chart = new Chart(app, 'test', namespace ? { namespace } : {});
  Engine.attach(chart, engine);
  return chart;
}

/** Synthesizes a chart and checks every object against the vendors' schemas (unknown fields rejected). */
export function synthValid(chart: Chart): any[] {
  const objs = Testing.synth(chart);
  expectValidManifests(objs);
  return objs;
}

/** The synthesized object with this kind and name; fails when there is none. */
export function byName(objs: any[], name: string, kind?: string): any {
  const found = objs.find(o => o.metadata?.name === name && (!kind || o.kind === kind));
  if (!found) throw new Error(`no ${kind ?? 'object'} named ${name}; have: ${objs.map(o => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
  return found;
}

/** The message of the error `fn` throws (fails when it throws nothing). */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error, but none was thrown');
}
