// The benchmark's measurements, as plain functions: the CLI runs each in a fresh child process
// (worker.ts), the CI test runs them in-process at the small size.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, Yaml } from 'cdk8s';
import { buildCluster, buildEstate, ChartLayout, EngineName, EstateSize } from './estate';
import { withValidateOnce } from './validate-once';
import { AnalysisPolicy, ClusterModel, ClusterPod, parsePolicies, PolicySource, ReachabilityAnalyzer, ReachabilityMatrix, Verdict } from '../../src/analysis';

/** The final objects of one chart, as synthesized: the precomputed JSON of the baselines. */
export interface ChartObjects {
  /** The file cdk8s wrote them to (relative to the output folder). */
  readonly file: string;
  /** The chart's id. */
  readonly chart: string;
  readonly objects: unknown[];
}

/** Milliseconds since `start` (a `performance.now()` value). */
function since(start: number): number {
  return performance.now() - start;
}

/**
 * How `app.synth()` runs: `stock` is cdk8s as released (the whole app walked again for every
 * chart); `validate-once` is the experiment of validate-once.ts (walked once per synthesis).
 */
export type SynthMode = 'stock' | 'validate-once';

function synthWith(app: App, mode: SynthMode): void {
  if (mode === 'validate-once') withValidateOnce(() => app.synth());
  else app.synth();
}

/** Records what cdk8s writes: the objects of every chart, in file order, without copying them. */
function captureYamlSaves<T>(run: () => T): { result: T; saved: { file: string; docs: unknown[] }[] } {
  const saved: { file: string; docs: unknown[] }[] = [];
  const original = Yaml.save;
  Yaml.save = (filePath: string, docs: unknown[]) => {
    saved.push({ file: filePath, docs });
    original.call(Yaml, filePath, docs);
  };
  try {
    return { result: run(), saved };
  } finally {
    Yaml.save = original;
  }
}

/** Result of synthesizing the estate with our constructs. */
export interface OursResult {
  /** Creating the charts and intents (ZeroTrustNamespace, allowFrom, egressToCidr). */
  readonly constructMs: number;
  /** `app.synth()`: our compilation (in cdk8s validation), cdk8s's own work, YAML, writing files. */
  readonly synthMs: number;
  readonly totalMs: number;
  readonly objects: number;
  readonly files: number;
  /** The final objects per chart, for the baselines (captured while cdk8s wrote them). */
  readonly charts: ChartObjects[];
}

/** Synthesizes the estate for one engine with `app.synth()` into `outdir`. */
export function synthOurs(size: EstateSize, engine: EngineName, outdir: string, layout: ChartLayout = 'per-namespace', mode: SynthMode = 'stock'): OursResult {
  const start = performance.now();
  const app = new App({ outdir });
  buildEstate(app, size, engine, layout);
  const constructMs = since(start);
  const synthStart = performance.now();
  const { saved } = captureYamlSaves(() => synthWith(app, mode));
  const synthMs = since(synthStart);
  const charts = saved.map(s => ({ file: path.relative(outdir, s.file), chart: path.basename(s.file).replace(/\.k8s\.yaml$/, ''), objects: s.docs }));
  return { constructMs, synthMs, totalMs: since(start), objects: charts.reduce((n, c) => n + c.objects.length, 0), files: charts.length, charts };
}

/** Result of a baseline run. */
export interface BaselineResult {
  readonly ms: number;
  readonly objects: number;
}

/**
 * Baseline (a), what cdk8s itself costs: the same final objects, created as raw `ApiObject`s from
 * precomputed JSON in charts with the same ids (so the same files), then `app.synth()` into `outdir`.
 */
export function synthRaw(charts: readonly ChartObjects[], outdir: string, mode: SynthMode = 'stock'): BaselineResult {
  const start = performance.now();
  const app = new App({ outdir });
  let objects = 0;
  for (const c of charts) {
    const chart = new Chart(app, c.chart);
    c.objects.forEach((o, i) => {
      new ApiObject(chart, `o${i}`, o as any);
      objects++;
    });
  }
  synthWith(app, mode);
  return { ms: since(start), objects };
}

/** Baseline (b), the floor: serializing the same objects to YAML as cdk8s does (one string per chart), no files. */
export function serializeYaml(charts: readonly ChartObjects[]): BaselineResult & { bytes: number } {
  const start = performance.now();
  let bytes = 0;
  let objects = 0;
  for (const c of charts) {
    // As Yaml.stringify(...objects), without spreading the objects as arguments (which overflows
    // the stack for a chart of ~130,000 objects).
    bytes += c.objects.map(o => Yaml.stringify(o)).join('---\n').length;
    objects += c.objects.length;
  }
  return { ms: since(start), objects, bytes };
}

/** A digest of every `*.k8s.yaml` file of a folder (names and contents), to prove two runs wrote the same output. */
export function digestFolder(dir: string): string {
  const hash = createHash('sha256');
  for (const file of fs.readdirSync(dir).filter(f => f.endsWith('.k8s.yaml')).sort()) {
    hash.update(file).update('\0').update(fs.readFileSync(path.join(dir, file))).update('\0');
  }
  return hash.digest('hex');
}

/** The synthesized YAML files of a folder, as parser input. */
export function readSources(dir: string): PolicySource[] {
  return fs.readdirSync(dir).filter(f => f.endsWith('.k8s.yaml')).sort()
    .map(file => ({ file, text: fs.readFileSync(path.join(dir, file), 'utf8') }));
}

/** A small deterministic PRNG (Park-Miller), so every run asks the same questions. */
export function random(seed: number): () => number {
  let state = (seed % 2147483646) + 1;
  return () => {
    state = (state * 48271) % 2147483647;
    return (state - 1) / 2147483646;
  };
}

/** The port and protocol of the matrix and the explain queries (the estate's application port). */
export const PROBE = { port: 8080, protocol: 'TCP' as const };

/** Result of the analysis measurements. */
export interface AnalysisResult {
  readonly policies: number;
  readonly pods: number;
  readonly parseMs: number;
  readonly clusterMs: number;
  /** Indexing the policies and computing the grouped matrix. */
  readonly matrixMs: number;
  readonly groups: number;
  readonly allowedPairs: number;
  readonly explainQueries: number;
  readonly explainAvgMs: number;
  readonly explainMaxMs: number;
  /** Queries whose verdict disagreed with the matrix (must be 0). */
  readonly explainMismatches: number;
  /**
   * Naive pair-by-pair evaluation: every pair (`full`), every destination of some source pods (`rows`),
   * or random pairs (`pairs`). `ms` is the measured time; `estimatedMs` the time for every pair.
   */
  readonly naive: NaiveResult;
}

/** How much of the naive matrix was evaluated, and what the whole would cost. */
export interface NaiveResult {
  readonly mode: NaiveMode;
  /** Pairs evaluated one by one. */
  readonly evaluatedPairs: number;
  /** Source rows evaluated (modes `full` and `rows`). */
  readonly rows?: number;
  readonly ms: number;
  /** Every pair of the cluster (pods²). */
  readonly totalPairs: number;
  /** `ms` scaled to every pair (equal to `ms` in mode `full`). */
  readonly estimatedMs: number;
  /** Allowed pairs among those evaluated. */
  readonly allowedPairs: number;
  /** Evaluated pairs whose verdict differs from the grouped matrix (must be 0). */
  readonly mismatches: number;
}

/** `full`: every pair; `rows`: every destination of evenly spread source pods; `pairs`: random pairs. */
export type NaiveMode = 'full' | 'rows' | 'pairs';

/** Options of `analyze`. */
export interface AnalyzeOptions {
  readonly naive: NaiveMode;
  /** Source rows in mode `rows`. @default 100 */
  readonly naiveRows?: number;
  /** Random pairs in mode `pairs`. @default 20000 */
  readonly naivePairs?: number;
  /** @default 100 */
  readonly explainQueries?: number;
  /** Progress messages (stderr in the CLI). */
  readonly progress?: (message: string) => void;
}

/**
 * Parses the Kubernetes engine's output, computes the grouped matrix on the estate's cluster model,
 * answers `explain` queries, and runs (or estimates) the naive pair-by-pair matrix.
 */
export function analyze(size: EstateSize, sources: readonly PolicySource[], options: AnalyzeOptions): AnalysisResult {
  const progress = options.progress ?? (() => undefined);
  let start = performance.now();
  const policies = parsePolicies(sources);
  const parseMs = since(start);
  progress(`parsed ${policies.length} policies in ${parseMs.toFixed(0)} ms`);

  start = performance.now();
  const cluster = buildCluster(size);
  const clusterMs = since(start);

  start = performance.now();
  const analyzer = new ReachabilityAnalyzer(cluster, policies);
  const matrix = analyzer.matrix(PROBE.port, PROBE.protocol);
  const matrixMs = since(start);
  const allowedPairs = matrix.allowedPairCount();
  progress(`matrix: ${matrix.groups.length} groups, ${allowedPairs} allowed pairs of ${cluster.pods.length ** 2} in ${matrixMs.toFixed(0)} ms`);

  // Explain: half random pairs (mostly denied), half allowed pairs (found by sampling the matrix).
  const queries = options.explainQueries ?? 100;
  const rnd = random(7);
  const pick = () => cluster.pods[Math.floor(rnd() * cluster.pods.length)];
  const flows: [ClusterPod, ClusterPod][] = [];
  for (let attempts = 0; flows.length < queries / 2 && attempts < 1_000_000; attempts++) {
    const s = pick();
    const d = cluster.pods.find(p => p !== s && matrix.isAllowed(s, p) && rnd() < 0.5);
    if (d) flows.push([s, d]);
  }
  while (flows.length < queries) flows.push([pick(), pick()]);
  let explainTotal = 0;
  let explainMax = 0;
  let mismatches = 0;
  for (const [s, d] of flows) {
    const t = performance.now();
    const verdict: Verdict = analyzer.evaluate(flowOf(s, d));
    if (verdict.explanation.length === 0) throw new Error('explain returned no explanation');
    const ms = since(t);
    explainTotal += ms;
    explainMax = Math.max(explainMax, ms);
    if (verdict.allowed !== matrix.isAllowed(s, d)) mismatches++;
  }
  progress(`explain: ${queries} queries, ${(explainTotal / queries).toFixed(2)} ms avg`);

  progress(`naive (${options.naive}): evaluating pairs one by one...`);
  const naive = naiveMatrix(cluster, policies, matrix, options, progress);
  return {
    policies: policies.length,
    pods: cluster.pods.length,
    parseMs,
    clusterMs,
    matrixMs,
    groups: matrix.groups.length,
    allowedPairs,
    explainQueries: queries,
    explainAvgMs: explainTotal / queries,
    explainMaxMs: explainMax,
    explainMismatches: mismatches,
    naive,
  };
}

function flowOf(s: { namespace: string; name: string }, d: { namespace: string; name: string }) {
  return {
    source: { kind: 'pod' as const, namespace: s.namespace, name: s.name },
    destination: { kind: 'pod' as const, namespace: d.namespace, name: d.name },
    port: PROBE.port,
    protocol: PROBE.protocol,
  };
}

/**
 * The naive matrix (as test/analysis/support/naive-matrix.ts): (source, destination) pod pairs
 * evaluated one flow at a time with `evaluate`, each checked against the grouped matrix. Includes
 * indexing the policies, like the grouped matrix's figure.
 */
export function naiveMatrix(
  cluster: ClusterModel, policies: readonly AnalysisPolicy[], matrix: ReachabilityMatrix, options: AnalyzeOptions, progress: (m: string) => void,
): NaiveResult {
  const pods = cluster.pods;
  const totalPairs = pods.length ** 2;
  // The pairs, in a fixed order that can be walked twice: once timed, once to check against the matrix.
  const rows = options.naive === 'pairs' ? 0 : options.naive === 'full' ? pods.length : Math.min(pods.length, options.naiveRows ?? 100);
  const sample = options.naive === 'pairs' ? options.naivePairs ?? 20000 : rows * pods.length;
  const forEachPair = (visit: (source: ClusterPod, destination: ClusterPod, i: number) => void) => {
    if (options.naive === 'pairs') {
      const rnd = random(11);
      for (let i = 0; i < sample; i++) visit(pods[Math.floor(rnd() * pods.length)], pods[Math.floor(rnd() * pods.length)], i);
      return;
    }
    let i = 0;
    for (let r = 0; r < rows; r++) {
      const source = pods[Math.floor((r * pods.length) / rows)];
      for (const destination of pods) visit(source, destination, i++);
    }
  };
  const verdicts = new Uint8Array(sample);
  const start = performance.now();
  const analyzer = new ReachabilityAnalyzer(cluster, policies);
  let lastReport = start;
  forEachPair((source, destination, i) => {
    verdicts[i] = analyzer.evaluate(flowOf(source, destination)).allowed ? 1 : 0;
    if (i % 65536 === 0 && performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      progress(`naive: ${i}/${sample} pairs, ${((lastReport - start) / 1000).toFixed(0)} s`);
    }
  });
  const ms = since(start);
  let allowed = 0;
  let mismatches = 0;
  forEachPair((source, destination, i) => {
    allowed += verdicts[i];
    if ((verdicts[i] === 1) !== matrix.isAllowed(source, destination)) mismatches++;
  });
  return {
    mode: options.naive,
    evaluatedPairs: sample,
    ...(rows ? { rows } : {}),
    ms,
    totalPairs,
    estimatedMs: (ms / sample) * totalPairs,
    allowedPairs: allowed,
    mismatches,
  };
}
