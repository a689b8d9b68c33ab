import * as fc from 'fast-check';
import * as ts from 'typescript';
import { ImportPlan } from '../../src/importer/import-plan';
import { identifier, quote, renderApp, renderMain } from '../../src/importer/render-app';

// The renderer alone: literals that always read back as the value, identifiers that are valid and
// readable, comments that cannot be broken out of. That the whole file means the plan is checked
// by compiling and running it (test/cli/import-generated-app.test.ts).

const plan: ImportPlan = {
  engine: { kind: 'cilium', target: { podCidrs: [], serviceCidrs: [], ciliumHttpNormalizePath: true } },
  charts: [{ id: 'shop', namespace: 'shop' }],
  workloads: [
    { id: 'api', namespace: 'shop', labels: { app: 'api' }, expressions: [] },
    { id: 'web', namespace: 'shop', labels: { 'app.kubernetes.io/name': 'web' }, expressions: [{ key: 'tier', operator: 'NotIn', values: ['old'] }] },
  ],
  intents: [{
    kind: 'AllowFrom',
    id: 'api-ingress-0',
    chart: 'shop',
    source: { object: 'CiliumNetworkPolicy shop/api\n*/ evil', field: 'ingress[0]' },
    to: 'api',
    peers: [{ kind: 'workload', workload: 'web' }],
    ports: [{ kind: 'port', protocol: 'TCP', port: 8080 }],
    http: [{ method: 'GET', path: { kind: 'prefix', value: '/api/' } }, { method: 'PURGE', path: { kind: 'exact', value: '/cache' } }, { path: { kind: 'exact', value: '/healthz' } }],
  }],
};

describe('renderApp', () => {
  test('writes main.ts with HTTP rules by their factories, set-based workloads and only the target settings given', () => {
    const main = renderMain(plan);
    expect(main).toContain("http: [HttpRule.get('/api/*'), HttpRule.method('PURGE', '/cache'), HttpRule.anyMethod('/healthz')],");
    expect(main).toContain("const web = Workload.select({ 'app.kubernetes.io/name': 'web' }, { namespace: 'shop', expressions: [LabelExpression.isNotIn('tier', ['old'])] });");
    expect(main).toContain('Engine.attach(app, Engine.cilium({ target: { ciliumHttpNormalizePath: true } }));');
    expect(main).toContain("import { AllowFrom, Engine, HttpRule, LabelExpression, Peer, Port, Workload } from 'cdk8s-zero-trust';");
  });

  test('keeps a source name with a line break inside its one-line comment', () => {
    const lines = renderMain(plan).split('\n');
    expect(lines).toContain('// CiliumNetworkPolicy shop/api */ evil ingress[0]');
    expect(lines.filter(l => l.includes('evil'))).toHaveLength(1);
  });

  test('keeps input file names with line breaks inside the header comment, so that no name becomes code', () => {
    const main = renderMain(plan, { inputs: ['p\nrequire("child_process").execSync("touch x");\n.yaml', 'q\u2028.yaml'] });
    const header = main.split(/\r\n|[\n\r\u2028\u2029]/);
    const firstCode = header.findIndex(line => !line.startsWith('//'));
    expect(header[firstCode]).toBe("import { App, Chart } from 'cdk8s';");
    expect(header.slice(0, firstCode).join('\n')).toContain('p require("child_process").execSync("touch x"); .yaml, q .yaml');
  });

  test('writes the files of a cdk8s typescript-app project, the same bytes every time', () => {
    const files = renderApp(plan, { library: '../src' });
    expect(files.map(f => f.path)).toEqual(['main.ts', 'package.json', 'tsconfig.json', 'cdk8s.yaml']);
    expect(files[0].text).toContain("from '../src';");
    expect(JSON.parse(files[1].text).dependencies).toHaveProperty('cdk8s-zero-trust');
    expect(renderApp(plan, { library: '../src' })).toEqual(files);
  });

  test('throws for a plan whose intent names a workload it does not declare', () => {
    const broken: ImportPlan = { ...plan, workloads: plan.workloads.slice(1) };
    expect(() => renderMain(broken)).toThrow('plan: intent api-ingress-0 names workload api, which the plan does not declare');
  });
});

/**
 * Runs main.ts as its compiled CommonJS module runs, against stand-ins for cdk8s and the library
 * (every export a constructible, callable stand-in), and returns the names it declares: a repeated
 * declaration or a name the module wrapper needs (`require` in its dead zone) throws here.
 */
function runMain(main: string): string[] {
  const js = ts.transpileModule(main, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
  const standIn: object = new Proxy(function stub() {}, { get: () => standIn, apply: () => standIn, construct: () => standIn });
  const module = { exports: {} };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('exports', 'require', 'module', js)(module.exports, () => standIn, module);
  return [...main.matchAll(/^const (\S+) =/gm)].map(m => m[1]);
}

describe('the main.ts of renderApp, run', () => {
  const hostile: ImportPlan = {
    engine: { kind: 'kubernetes' },
    charts: [{ id: 'ClusterWide' }, { id: 'cluster-wide', namespace: 'cluster-wide' }, { id: 'shop-2', namespace: 'shop-2' }, { id: 'shop2', namespace: 'shop2' }],
    workloads: ['require', 'exports', 'module'].map((name) => ({ id: identifier(name, 'Workload'), namespace: 'shop2', labels: { app: name }, expressions: [] })),
    intents: ['ClusterWide', 'cluster-wide', 'shop-2', 'shop2'].map((chart) => ({
      kind: 'DefaultDeny' as const, id: 'deny', chart, namespace: chart, directions: ['ingress' as const], source: { object: `NetworkPolicy ${chart}/deny` },
    })),
  };

  test('declares each chart once, for namespaces whose names camelCase alike', () => {
    const declared = runMain(renderMain({ ...hostile, workloads: [] }));
    expect(declared.filter(name => name.endsWith('Chart'))).toHaveLength(4);
    expect(new Set(declared).size).toBe(declared.length);
  });

  test('runs with workloads named after what the CommonJS module wrapper declares', () => {
    expect(() => runMain(renderMain(hostile))).not.toThrow();
    expect(runMain(renderMain(hostile))).toEqual(expect.not.arrayContaining(['require', 'exports', 'module']));
  });
});

describe('quote', () => {
  test('writes a literal that evaluates to the string, for any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      const literal = quote(s);
      expect(literal).toMatch(/^'[\x20-\x7e]*'$/);
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      expect(new Function(`return ${literal};`)()).toBe(s);
    }), { numRuns: 500 });
  });
});

describe('identifier', () => {
  test.each([
    ['shop-api', 'shopApi'],
    ['backend_api.v2', 'backendApiV2'],
    ['3rd-party', '_3rdPartyWorkload'],
    ['default', 'defaultWorkload'],
    ['Peer', 'peer'],
    ['---', 'workload'],
  ])('turns %s into %s', (name, expected) => {
    expect(identifier(name, 'Workload')).toBe(expected);
  });
});
