import { cdk8s, javascript, JsonFile } from 'projen';

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-zero-trust',
  description: 'Write zero-trust network intent once in cdk8s; synthesize exact Kubernetes, Cilium, Calico or Istio policies, and prove what they allow.',
  author: 'cdk8s-zero-trust maintainers',
  authorAddress: 'maintainers@cdk8s-zero-trust.dev',
  repositoryUrl: 'https://github.com/cdk8s-zero-trust/cdk8s-zero-trust.git',
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  projenrcTs: true,
  packageManager: javascript.NodePackageManager.NPM,
  minNodeVersion: '20.0.0',

  // jsii and TypeScript pinned to the same minor.
  jsiiVersion: '~5.9.0',
  typescriptVersion: '~5.9.0',

  cdk8sVersion: '2.70.0',
  constructsVersion: '10.3.0',
  // No cdk8s-plus peer (issue 14): the library reads cdk8s-plus objects structurally
  // (src/intent/pod-selector-source.ts), so any major line from 28 on works and none is installed for the
  // user. An optional peer cannot be declared for them: each line is its own package, and jsii turns every
  // peerDependency into a required dependency of the Python/Java/.NET/Go packages (it ignores
  // peerDependenciesMeta). The tests use the oldest and a current line.

  // Runtime dependencies of a jsii library must be bundled.
  bundledDeps: ['ipaddr.js@^2.2.0', 'yaml@^2.8.0', 'commander@^12.1.0'],
  // commonmark: an independent Markdown parser, to prove that untrusted names never render as links.
  devDeps: [
    'ajv@^8.17.0', 'ajv-formats@^3.0.1', 'fast-check@^4.0.0', 'cdk8s-cli@^2.200.0', 're2js@^2.10.0',
    'cdk8s-plus-28@^2.5.6', 'cdk8s-plus-33@^2.5.57', 'commonmark@^0.31.2',
  ],

  // The reachability CLI: `npx cdk8s-zero-trust reach|explain|diff|lint`.
  bin: { 'cdk8s-zero-trust': 'bin/cdk8s-zero-trust' },

  keywords: ['cdk8s', 'kubernetes', 'networkpolicy', 'zero-trust', 'cilium', 'calico', 'istio'],

  // jsii targets (issue 14): the constructs for Python, Java, .NET and Go. test/package/other-languages.test.ts
  // generates every target's code with jsii-pacmak --code-only and builds the Python wheel offline; the
  // matchers and the analyzer API stay TypeScript-only (README, "Other languages").
  publishToPypi: { distName: 'cdk8s-zero-trust', module: 'cdk8s_zero_trust' },
  publishToMaven: { mavenGroupId: 'dev.cdk8s-zero-trust', mavenArtifactId: 'cdk8s-zero-trust', javaPackage: 'dev.cdk8szerotrust' },
  publishToNuget: { dotNetNamespace: 'Cdk8sZeroTrust', packageId: 'Cdk8sZeroTrust' },
  publishToGo: { moduleName: 'github.com/cdk8s-zero-trust/cdk8s-zero-trust-go', packageName: 'cdk8szerotrust' },

  github: false,
  release: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  sampleCode: false,

  jestOptions: {
    // A changed policy must fail the build, never refresh its own expectation.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      testPathIgnorePatterns: ['/node_modules/', '/dist/', '/lib/'],
      coveragePathIgnorePatterns: ['/node_modules/', '/src/imports/', '/test/'],
    },
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'examples', 'scripts'],
    ignorePatterns: ['src/imports/**', '*.js', '*.d.ts', 'node_modules/', 'lib/', 'dist/'],
  },
  tsconfigDev: {
    include: ['../examples/**/*.ts', '../scripts/**/*.ts'],
    compilerOptions: {},
  },
});

// `npx projen import` derives two things from the vendors' own schemas in ../shared/crds (issue 14):
// - imports/schemas/: every vendor schema, reduced to what validation reads, with provenance
//   (scripts/imports/derive-schemas.ts). The test suite validates against these, so a clone of the
//   repository needs no ../shared; only this task does, and its first step says so when it is missing.
// - src/imports/: the typed bindings the library compiles (jsii's source root is src/), from the
//   unreduced files so their docs stay (never hand-edited: only scripts/imports/linear-to-json.ts
//   rewrites their undefined-field filter).
const crds: Array<[string, string]> = [
  ['cilium-cnp', 'cilium/ciliumnetworkpolicies.yaml'],
  ['cilium-ccnp', 'cilium/ciliumclusterwidenetworkpolicies.yaml'],
  ['calico-np', 'calico/projectcalico.org_networkpolicies.yaml'],
  ['calico-gnp', 'calico/projectcalico.org_globalnetworkpolicies.yaml'],
  ['calico-ns', 'calico/projectcalico.org_networksets.yaml'],
  ['calico-gns', 'calico/projectcalico.org_globalnetworksets.yaml'],
  ['calico-snp', 'calico/projectcalico.org_stagednetworkpolicies.yaml'],
  ['calico-sgnp', 'calico/projectcalico.org_stagedglobalnetworkpolicies.yaml'],
  ['istio-ap', 'istio/authorizationpolicies.security.istio.io.yaml'],
  ['istio-pa', 'istio/peerauthentications.security.istio.io.yaml'],
  ['gateway', 'gateway-api/gateway.networking.k8s.io_gateways.yaml'],
];
const importTask = project.addTask('import', {
  description: 'Regenerate imports/schemas/ (derived vendor schemas) and src/imports/ (cdk8s import bindings) from ../shared/crds, offline',
});
// First, so that a missing or changed ../shared/crds fails before anything is deleted.
importTask.exec('ts-node --project scripts/tsconfig.json scripts/imports/derive-schemas.ts');
importTask.exec('rm -rf src/imports');
for (const [alias, file] of crds) {
  importTask.exec(`cdk8s import --no-check-upgrade -l typescript -o src/imports ${alias}:=../shared/crds/${file}`);
}
// The generated converters drop undefined fields with a quadratic object spread: rewritten, output unchanged.
importTask.exec('ts-node --project scripts/tsconfig.json scripts/imports/linear-to-json.ts src/imports');

// imports/ is derived (see the import task): reviewers and GitHub's diff treat it as generated; it is the
// test suite's input, not the package's, so it stays out of the tarball.
project.gitattributes.addAttributes('/imports/**', 'linguist-generated');
project.npmignore?.exclude('/imports/');
// The tarball holds what users need (lib/, bin/, API.md, README.md, LICENSE, docs/; test/package asserts
// it): not the examples (they import ../../src, which is not shipped), the benchmark and import scripts,
// or CI's scripts.
project.npmignore?.exclude('/examples/', '/scripts/', '/.ci/');

// The README test writes its snippet next to the tests (so it resolves cdk8s); never commit a leftover.
project.gitignore.exclude('/test/.readme-*/');
project.gitignore.exclude('/test/.import-*/');
project.gitignore.exclude('/test/.recommend-*/');

// Examples are type-checked and linted like tests (eslint's project service
// needs a tsconfig next to them).
new JsonFile(project, 'examples/tsconfig.json', {
  obj: { extends: '../test/tsconfig.json', include: ['**/*.ts'] },
});

// The main job: synthesize every example app for every engine it declares.
project.addTask('examples', {
  description: 'Synthesize every app in examples/ into dist/examples/<example>/<engine>/*.k8s.yaml',
  exec: 'ts-node --project examples/tsconfig.json examples/synth-all.ts',
});

// Issue 7's estate benchmark: ratios against raw cdk8s and plain YAML, measured in one run
// (docs/PERFORMANCE.md). `npm run bench -- --size all`; CI runs the small size through test/bench.
project.addTask('bench', {
  description: 'Benchmark synthesis and analysis at estate scale (default: small size)',
  exec: 'ts-node --project scripts/tsconfig.json scripts/bench/main.ts',
  receiveArgs: true,
});

project.synth();
