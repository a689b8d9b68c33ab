import * as fs from 'fs';
import * as path from 'path';
import * as cdk8s from 'cdk8s';
import * as fc from 'fast-check';
import * as ts from 'typescript';
import { Example } from '../../examples/example';
import { ClusterNetworkPolicyImplementation, Engine } from '../../src';
import { parseCluster, parsePolicies } from '../../src/analysis';
import { synthesizedPolicies } from '../../src/analysis/intent/synthesized-policies';
import { buildIntents } from '../../src/importer/build-intents';
import { ImportPlan, PlanEngineKind } from '../../src/importer/import-plan';
import { formatCannotExpress, planImport } from '../../src/importer/plan-import';
import { renderMain } from '../../src/importer/render-app';
import { clusterArb, toCluster } from '../equivalence/cluster-gen';
import { buildClusterIntents, clusterIntentsArb, expressibleOn } from '../equivalence/cluster-intent-gen';
import { buildIntents as buildSpecs, intentsArb } from '../equivalence/intent-gen';
import { OVERLAPPING_TARGET } from '../helpers/target';

// The command proves the app build-intents.ts constructs, and writes the main.ts render-app.ts
// renders from the same plan: two readings of it. Here the rendered main.ts itself is run (compiled
// to CommonJS, against this repository's sources) on random plans of every engine, and must
// synthesize byte for byte the manifests of the app the proof synthesized — so that what is proven
// is what is written.

const RUNS = Math.ceil(Number(process.env.IMPORT_PROPERTY_RUNS ?? 150) / 3);
const SRC = path.join(__dirname, '..', '..', 'src');

/** The App main.ts constructs, captured instead of synthesized to disk. */
function runMain(plan: ImportPlan): cdk8s.App {
  const js = ts.transpileModule(renderMain(plan, { library: SRC }), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true },
  }).outputText;
  let captured: cdk8s.App | undefined;
  class CapturedApp extends cdk8s.App {
    constructor() {
      super();
      captured = this;
    }
    public synth(): void {}
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = (name: string): unknown => (name === 'cdk8s' ? { ...cdk8s, App: CapturedApp } : name === SRC ? require(SRC) : undefined);
  const module = { exports: {} };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('exports', 'require', 'module', js)(module.exports, load, module);
  if (!captured) throw new Error('main.ts constructed no App');
  return captured;
}

function manifests(app: cdk8s.App): unknown[] {
  return app.charts.map(chart => [chart.node.id, cdk8s.Testing.synth(chart)]);
}

function importedPlan(engine: PlanEngineKind, chart: cdk8s.Chart, cluster: ReturnType<typeof toCluster>): ImportPlan | undefined {
  let input;
  try {
    input = synthesizedPolicies(chart);
  } catch (error) {
    if (error instanceof Error && /Validation failed/.test(error.message)) return undefined;
    throw error;
  }
  const result = planImport(input, cluster, {
    engine, podCidrs: OVERLAPPING_TARGET.podCidrs, serviceCidrs: OVERLAPPING_TARGET.serviceCidrs, clusterNetworkPolicyImplementation: 'calico',
  });
  if (!result.plan) throw new Error(`cannot import:\n  ${result.cannotExpress.map(formatCannotExpress).join('\n  ')}`);
  return result.plan;
}

function engineOf(kind: PlanEngineKind): Engine {
  switch (kind) {
    case 'kubernetes': return Engine.kubernetes({ target: OVERLAPPING_TARGET, clusterNetworkPolicy: { implementation: ClusterNetworkPolicyImplementation.calico() } });
    case 'calico': return Engine.calico({ target: OVERLAPPING_TARGET });
    case 'cilium': return Engine.cilium({ target: OVERLAPPING_TARGET });
  }
}

describe('the main.ts import writes', () => {
  test.each<[PlanEngineKind]>([['kubernetes'], ['calico'], ['cilium']])('for %s synthesizes exactly the manifests of the app the command proves', (engine) => {
    let compared = 0;
    fc.assert(fc.property(intentsArb({ withIdentity: engine !== 'kubernetes' }), clusterIntentsArb(), clusterArb(), (specs, clusterSpecs, spec) => {
      const wide = engine === 'kubernetes' ? expressibleOn(clusterSpecs, { ingressPodsOnly: true, noNamedPorts: true })
        : engine === 'cilium' ? expressibleOn(clusterSpecs, { noDelegate: true, noNamedPorts: true }) : clusterSpecs;
      const chart = new cdk8s.Chart(cdk8s.Testing.app(), 'case');
      Engine.attach(chart, engineOf(engine));
      buildSpecs(chart, specs);
      buildClusterIntents(chart, wide);
      const imported = importedPlan(engine, chart, toCluster(spec));
      if (!imported) return;
      let proven: unknown[];
      try {
        proven = manifests(buildIntents(imported));
      } catch (error) {
        // The engine refuses the imported app: the command writes nothing then; main.ts must refuse it too.
        expect(() => manifests(runMain(imported))).toThrow((error as Error).message);
        return;
      }
      compared++;
      expect(manifests(runMain(imported))).toEqual(proven);
    }), { numRuns: RUNS });
    expect(compared).toBeGreaterThan(RUNS / 4);
  });
});

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');
const examples: [string, string, Example][] = [];
for (const name of fs.readdirSync(EXAMPLES).filter((d) => fs.existsSync(path.join(EXAMPLES, d, 'app.ts'))).sort()) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const example: Example = require(path.join(EXAMPLES, name, 'app.ts')).example;
  for (const engine of Object.keys(example.engines)) examples.push([name, engine, example]);
}

describe('the main.ts import writes for each example', () => {
  // HTTP rules, Istio setups (--keep-mesh-policies) and ClusterNetworkPolicy, which the random plans above do not reach.
  test.each(examples)('%s for %s synthesizes exactly the manifests of the app the command proves', (_name, engine, example) => {
    const app = cdk8s.Testing.app();
    example.build(app, example.engines[engine]());
    // Charts applied one at a time (the phases of a migration) are imported one at a time, as test/cli/import-examples.test.ts does.
    const sets: cdk8s.Chart[][] = example.chartsAppliedTogether ? [app.charts] : app.charts.map((chart) => [chart]);
    for (const charts of sets) {
      const objects = charts.flatMap((chart) => cdk8s.Testing.synth(chart));
      const namespaces = [...new Set(['default', 'kube-system', ...objects.map((o) => o.metadata?.namespace as string | undefined)
        .filter((ns): ns is string => ns !== undefined)])].sort();
      const cluster = parseCluster({
        file: 'cluster.yaml',
        text: namespaces.map((ns, i) => `---\napiVersion: v1\nkind: Namespace\nmetadata: { name: ${ns} }\n---\napiVersion: v1\nkind: Pod\n`
          + `metadata: { name: app, namespace: ${ns} }\nspec: { containers: [{ name: app }] }\nstatus: { podIP: 10.244.0.${i + 1} }\n`).join(''),
      });
      const input = parsePolicies({ file: 'out.yaml', text: cdk8s.Yaml.stringify(...objects) }, { ignoreOtherKinds: true, clusterNamespaces: cluster.namespaces });
      const result = planImport(input, cluster, {
        engine: engine.split('-').pop() as PlanEngineKind,
        podCidrs: ['10.244.0.0/16'],
        serviceCidrs: ['10.96.0.0/12'],
        clusterNetworkPolicyImplementation: 'calico',
        ciliumHttpNormalizePath: true,
        keepMeshPolicies: engine.startsWith('istio'),
      });
      if (!result.plan) throw new Error(`cannot import:\n  ${result.cannotExpress.map(formatCannotExpress).join('\n  ')}`);
      const imported = result.plan;
      expect(manifests(runMain(imported))).toEqual(manifests(buildIntents(imported)));
    }
  });
});
