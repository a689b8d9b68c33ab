// The estate benchmark (issue 7): synthesis per engine against raw cdk8s and plain YAML, and the
// analyzer against naive pair-by-pair evaluation. Every figure comes from this one run; each
// measurement runs in its own child process (worker.ts) so peaks and JIT state are not shared.
//
//   ts-node --project scripts/tsconfig.json scripts/bench/main.ts [--size small|medium|large|all]
//     [--runs N] [--engines kubernetes,cilium,...] [--charts per-namespace|one] [--synth stock|validate-once]
//     [--naive auto|full|rows|pairs] [--naive-rows N] [--json FILE] [--keep]
//     [--size estate-20k,estate] [--commands reach-json,reach-port-json,diff-json,lint,import] [--explain-queries N]
//
// The estate sizes (analysis-estate.ts) measure the analyzer at scale: the CLI's reach, diff and
// lint on generated manifests, each in a fresh process, and explain per question.
//
// --synth validate-once: ours and (a) both run under an experimental cdk8s App.synth() that walks
// the app once per synthesis instead of once per chart (validate-once.ts); stock is cdk8s as released.
//
// --naive auto: every pair on small, every destination of 100 evenly spread source pods on medium
// (the full 16M pairs take most of an hour), 20,000 random pairs on large; the rest is extrapolated.
//
// Tables go to stdout (markdown), progress to stderr.
import { execFileSync, fork } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { AUDIT_RECORDS, CliCommand, CliResult, estateCounts, ExplainResult, writeEstate } from './analysis-bench';
import { ANALYSIS_SIZES, changedNamespaces } from './analysis-estate';
import { allowanceCount, ChartLayout, ENGINE_NAMES, EngineName, kindCounts, SIZES } from './estate';
import { AnalysisResult, NaiveMode, SynthMode } from './measure';
import { ProcessFigures, Task } from './worker';

/** The CLI commands the estate sizes measure. */
const COMMANDS: readonly CliCommand[] = ['reach-json', 'reach-port-json', 'diff-json', 'lint', 'audit-json', 'audit-json-no-unused', 'import', 'recommend'];

interface Options {
  readonly sizes: string[];
  readonly runs?: number;
  readonly engines: EngineName[];
  readonly naive: 'auto' | NaiveMode;
  readonly naiveRows?: number;
  readonly layout: ChartLayout;
  readonly synth: SynthMode;
  readonly json?: string;
  readonly keep: boolean;
  readonly explainQueries: number;
  readonly commands: CliCommand[];
}

/** A comma-separated list whose every item is one of `allowed`. */
function listOf<T extends string>(allowed: readonly T[], all?: string, allMeans: readonly T[] = allowed): (value: string) => T[] {
  return (value: string) => {
    if (all !== undefined && value === all) return [...allMeans];
    const items = value.split(',').map(v => v.trim()).filter(v => v.length > 0);
    const wrong = items.filter(v => !(allowed as readonly string[]).includes(v));
    if (items.length === 0 || wrong.length) {
      throw new InvalidArgumentError(`expected ${allowed.join(', ')}${all ? ` or ${all}` : ''} (comma-separated), got ${JSON.stringify(value)}`);
    }
    return items as T[];
  };
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

function parseArgs(argv: string[]): Options {
  const program = new Command('bench')
    .description('The estate benchmark of issue 7 (docs/PERFORMANCE.md): synthesis per engine against raw cdk8s and YAML, analysis against naive evaluation.')
    .addOption(new Option('--size <sizes>', `sizes to run, comma-separated, or all (the synthesis sizes); analysis at estate scale: ${Object.keys(ANALYSIS_SIZES).join(', ')}`)
      .argParser(listOf([...Object.keys(SIZES), ...Object.keys(ANALYSIS_SIZES)], 'all', Object.keys(SIZES))).default(Object.keys(SIZES), 'all'))
    .addOption(new Option('--runs <n>', 'runs per figure (default: 5 small, 3 medium, 1 large)').argParser(positiveInteger))
    .addOption(new Option('--engines <engines>', 'engines to run, comma-separated').argParser(listOf(ENGINE_NAMES)).default([...ENGINE_NAMES], 'all'))
    .addOption(new Option('--charts <layout>', 'one chart per namespace, or one chart for the whole estate').choices(['per-namespace', 'one']).default('per-namespace'))
    .addOption(new Option('--synth <mode>', 'cdk8s as released, or the experiment that walks the app once per synthesis').choices(['stock', 'validate-once']).default('stock'))
    .addOption(new Option('--naive <mode>', 'how much of the naive matrix to evaluate').choices(['auto', 'full', 'rows', 'pairs']).default('auto'))
    .addOption(new Option('--naive-rows <n>', 'source pods of the naive matrix in rows mode').argParser(positiveInteger))
    .addOption(new Option('--explain-queries <n>', 'explain questions per kind at the estate sizes').argParser(positiveInteger).default(200))
    .addOption(new Option('--commands <commands>', 'CLI commands measured at the estate sizes, comma-separated').argParser(listOf(COMMANDS)).default([...COMMANDS], 'all'))
    .option('--json <file>', 'also write every figure as JSON')
    .option('--keep', 'keep the synthesized output', false)
    .exitOverride()
    .configureOutput({ writeOut: m => process.stderr.write(m), writeErr: m => process.stderr.write(m) });
  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError && (e.code === 'commander.helpDisplayed' || e.code === 'commander.version')) process.exit(0);
    process.exit(2);
  }
  const o = program.opts();
  return {
    sizes: o.size,
    runs: o.runs,
    engines: o.engines,
    naive: o.naive,
    naiveRows: o.naiveRows,
    layout: o.charts,
    synth: o.synth,
    json: o.json,
    keep: o.keep,
    explainQueries: o.explainQueries,
    commands: o.commands,
  };
}

const progress = (m: string) => process.stderr.write(`${m}\n`);

interface Measured<T> {
  readonly result: T;
  readonly figures: ProcessFigures;
  /** Highest heap in use seen by the garbage collector (bytes), from --trace-gc. */
  readonly peakHeapBytes: number;
}

const GC_LINE = /([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB/;

/**
 * Compiles the benchmark and the library with tsc into `out`, so that workers run plain JavaScript:
 * no TypeScript compiler in their heap or in their time. Returns the worker's path.
 */
function compile(out: string): string {
  const worker = path.join(out, 'scripts', 'bench', 'worker.js');
  progress('compiling the benchmark and src/ with tsc...');
  try {
    execFileSync(process.execPath, [
      require.resolve('typescript/bin/tsc'), '-p', path.join(__dirname, '..', 'tsconfig.json'), '--outDir', out,
      '--noEmit', 'false', '--noEmitOnError', 'false', '--declaration', 'false', '--sourceMap', 'false', '--inlineSourceMap', 'false', '--inlineSources', 'false',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e: any) {
    // Type errors still emit (this process was type-checked by ts-node already); a missing worker is fatal.
    if (!fs.existsSync(worker)) throw new Error(`tsc failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    progress(`tsc reported (ignored, the JavaScript was emitted):\n${e.stdout ?? ''}`);
  }
  return worker;
}

let workerPath = '';

/** Runs one task in a fresh Node.js process and reads its peak heap from the GC trace. */
function measure<T>(task: Task): Promise<Measured<T>> {
  return new Promise((resolve, reject) => {
    const child = fork(workerPath, [JSON.stringify(task)], {
      execArgv: ['--trace-gc', '--max-old-space-size=8192'],
      // The compiled files live outside the repository: resolve cdk8s, yaml... from its node_modules.
      env: { ...process.env, NODE_PATH: path.join(__dirname, '..', '..', 'node_modules') },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let peakMb = 0;
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const m = GC_LINE.exec(line);
        if (m) peakMb = Math.max(peakMb, Number(m[1]));
      }
    });
    let message: { result: T; figures: ProcessFigures } | undefined;
    let failure: string | undefined;
    child.on('message', (m: any) => {
      if (m.error) failure = m.error;
      else message = m;
    });
    child.on('error', reject);
    child.on('exit', code => {
      if (failure) return reject(new Error(failure));
      if (!message) return reject(new Error(`benchmark worker for ${JSON.stringify(task)} exited with ${code} and no result`));
      const peakHeapBytes = Math.max(peakMb * 1024 * 1024, message.figures.heapUsedEndBytes);
      resolve({ ...message, peakHeapBytes });
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const ms = (x: number) => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(x < 10 ? 2 : 0)} ms`);
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const ratio = (x: number) => `${x.toFixed(2)}×`;
const duration = (x: number) => (x >= 3_600_000 ? `${(x / 3_600_000).toFixed(1)} h` : x >= 60_000 ? `${(x / 60_000).toFixed(1)} min` : ms(x));

/** An engine whose measurement failed, with the error. */
interface FailedRow {
  readonly engine: EngineName;
  readonly failed: string;
}

interface EngineRow {
  readonly engine: EngineName;
  readonly objects: number;
  readonly runs: number;
  readonly oursMs: number;
  readonly constructMs: number;
  readonly synthMs: number;
  readonly oursPeakHeap: number;
  readonly oursPeakRss: number;
  readonly rawMs: number;
  readonly rawPeakHeap: number;
  readonly yamlMs: number;
  readonly sameOutput: boolean;
}

interface SizeReport {
  readonly size: string;
  readonly allowances: number;
  readonly layout: ChartLayout;
  readonly synth: SynthMode;
  readonly engines: EngineRow[];
  readonly failed: FailedRow[];
  readonly analysis?: AnalysisResult;
}

async function benchSize(size: string, options: Options, root: string): Promise<SizeReport> {
  const spec = SIZES[size];
  const runs = options.runs ?? (size === 'small' ? 5 : size === 'medium' ? 3 : 1);
  progress(`== ${size}: N=${spec.namespaces} M=${spec.workloads} K=${spec.allowances} P=${spec.podsPerWorkload}, ${allowanceCount(spec)} allowances, ${runs} run(s) per figure`);
  const rows: EngineRow[] = [];
  const failed: FailedRow[] = [];
  let analysis: AnalysisResult | undefined;
  for (const engine of options.engines) {
    try {
      const result = await benchEngine(size, engine, runs, options, root);
      rows.push(result.row);
      analysis = result.analysis ?? analysis;
    } catch (e) {
      progress(`    failed: ${(e as Error).message}`);
      failed.push({ engine, failed: (e as Error).message });
    }
    fs.rmSync(path.join(root, size, `${engine}.objects.json`), { force: true });
  }
  return { size, allowances: allowanceCount(spec), layout: options.layout, synth: options.synth, engines: rows, failed, analysis };
}

/** One engine at one size: ours, (a) and (b), interleaved, and the analysis for the Kubernetes engine. */
async function benchEngine(
  size: string, engine: EngineName, runs: number, options: Options, root: string,
): Promise<{ row: EngineRow; analysis?: AnalysisResult }> {
  const dir = path.join(root, size, engine);
  const objectsFile = path.join(root, size, `${engine}.objects.json`);
  const ours: Measured<any>[] = [];
  const raw: Measured<any>[] = [];
  const yaml: Measured<any>[] = [];
  // Interleaved (ours, raw, YAML, ours, ...) so that a change in the machine's load hits all three alike.
  for (let r = 0; r < runs; r++) {
    const outdir = path.join(dir, `ours-${r}`);
    progress(`  ${engine} run ${r + 1}/${runs}: ours`);
    ours.push(await measure({ kind: 'ours', size, engine, layout: options.layout, synth: options.synth, outdir, ...(r === 0 ? { objectsFile } : {}) }));
    progress(`    ${ms(ours[r].result.totalMs)}, ${ours[r].result.objects} objects, peak heap ${mib(ours[r].peakHeapBytes)}`);
    if (r > 0) fs.rmSync(outdir, { recursive: true, force: true });
    progress(`  ${engine} run ${r + 1}/${runs}: (a) raw cdk8s ApiObjects`);
    const rawOut = path.join(dir, `raw-${r}`);
    raw.push(await measure({ kind: 'raw', objectsFile, synth: options.synth, outdir: rawOut }));
    progress(`    ${ms(raw[r].result.ms)}, peak heap ${mib(raw[r].peakHeapBytes)}`);
    fs.rmSync(rawOut, { recursive: true, force: true });
    progress(`  ${engine} run ${r + 1}/${runs}: (b) YAML only`);
    yaml.push(await measure({ kind: 'yaml', objectsFile }));
    progress(`    ${ms(yaml[r].result.ms)}`);
  }
  const row: EngineRow = {
    engine,
    objects: ours[0].result.objects,
    runs,
    oursMs: median(ours.map(o => o.result.totalMs)),
    constructMs: median(ours.map(o => o.result.constructMs)),
    synthMs: median(ours.map(o => o.result.synthMs)),
    oursPeakHeap: Math.max(...ours.map(o => o.peakHeapBytes)),
    oursPeakRss: Math.max(...ours.map(o => o.figures.maxRssBytes)),
    rawMs: median(raw.map(o => o.result.ms)),
    rawPeakHeap: Math.max(...raw.map(o => o.peakHeapBytes)),
    yamlMs: median(yaml.map(o => o.result.ms)),
    sameOutput: raw.every(o => o.result.digest === ours[0].result.digest),
  };
  let analysis: AnalysisResult | undefined;
  if (engine === 'kubernetes') {
    const naive: NaiveMode = options.naive !== 'auto' ? options.naive : size === 'small' ? 'full' : size === 'medium' ? 'rows' : 'pairs';
    progress(`  analysis of the Kubernetes output (naive: ${naive})`);
    analysis = (await measure<AnalysisResult>({ kind: 'analysis', size, manifests: path.join(dir, 'ours-0'), naive, naiveRows: options.naiveRows })).result;
  }
  return { row, analysis };
}

/** The analysis at estate scale: each CLI command and the explain session in a fresh process. */
interface AnalysisSizeReport {
  readonly size: string;
  readonly pods: number;
  readonly namespaces: number;
  readonly policies: number;
  readonly generateMs: number;
  readonly inputBytes: number;
  readonly commands: { readonly result: CliResult; readonly peakHeapBytes: number; readonly maxRssBytes: number }[];
  readonly explain?: { readonly result: ExplainResult; readonly peakHeapBytes: number };
  readonly failed: string[];
}


async function benchAnalysisSize(size: string, options: Options, root: string): Promise<AnalysisSizeReport> {
  const spec = ANALYSIS_SIZES[size];
  const counts = estateCounts(spec);
  progress(`== ${size}: ${counts.pods} pods in ${counts.namespaces} namespaces, ${counts.policies} NetworkPolicies; after: ${changedNamespaces(spec).length} namespaces changed`);
  const dir = path.join(root, size);
  const files = writeEstate(spec, dir, options.commands.some((command) => command.startsWith('audit') || command === 'recommend'));
  progress(`  generated ${(files.bytes / 2 ** 20).toFixed(0)} MiB of input${files.flowBytes ? ` and ${(files.flowBytes / 2 ** 20).toFixed(0)} MiB of flows` : ''} in ${ms(files.ms)}`);
  const commands: AnalysisSizeReport['commands'] = [];
  const failed: string[] = [];
  const runs = options.runs ?? 1;
  for (const command of options.commands) {
    for (let r = 0; r < runs; r++) {
      progress(`  ${command} run ${r + 1}/${runs}`);
      try {
        const measured = await measure<CliResult>({ kind: 'analysis-cli', command, files, output: path.join(dir, `${command}.out`) });
        if (measured.result.exitCode !== 0 && !(command === 'lint' && measured.result.exitCode === 1)) {
          throw new Error(`exit ${measured.result.exitCode}: ${measured.result.stderr.split('\n')[0]}`);
        }
        commands.push({ result: measured.result, peakHeapBytes: measured.peakHeapBytes, maxRssBytes: measured.figures.maxRssBytes });
        progress(`    ${ms(measured.result.ms)}, peak heap ${mib(measured.peakHeapBytes)}, ${(measured.result.outputBytes / 2 ** 20).toFixed(1)} MiB out`);
      } catch (e) {
        progress(`    failed: ${(e as Error).message}`);
        failed.push(`${command}: ${(e as Error).message}`);
      }
      fs.rmSync(path.join(dir, `${command}.out`), { force: true });
    }
  }
  let explain: AnalysisSizeReport['explain'];
  try {
    progress(`  explain: ${options.explainQueries} questions of each kind`);
    const measured = await measure<ExplainResult>({ kind: 'analysis-explain', files, queries: options.explainQueries });
    explain = { result: measured.result, peakHeapBytes: measured.peakHeapBytes };
    progress(`    ${ms(measured.result.withPortAvgMs)} (--port), ${ms(measured.result.withoutPortAvgMs)} (exact set) per question after a load of ${ms(measured.result.loadMs)}`);
  } catch (e) {
    failed.push(`explain: ${(e as Error).message}`);
  }
  return { size, ...counts, generateMs: files.ms, inputBytes: files.bytes, commands, explain, failed };
}

function analysisTable(report: AnalysisSizeReport): string {
  const lines = [
    `### ${report.size}: ${report.pods} pods in ${report.namespaces} namespaces, ${report.policies} NetworkPolicies (generated manifests, ${(report.inputBytes / 2 ** 20).toFixed(0)} MiB of YAML; scripts/bench/analysis-estate.ts)`,
    '',
    '| command | time | peak heap | max RSS | output |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const { result, peakHeapBytes, maxRssBytes } of report.commands) {
    lines.push(`| \`${result.command}\` | ${ms(result.ms)} | ${mib(peakHeapBytes)} | ${mib(maxRssBytes)} | ${(result.outputBytes / 2 ** 20).toFixed(1)} MiB |`);
  }
  const e = report.explain?.result;
  if (e) {
    lines.push(`| \`explain --port\`, per question (${e.queries}) | ${ms(e.withPortAvgMs)} (max ${ms(e.withPortMaxMs)}) | ${mib(report.explain!.peakHeapBytes)} | | after loading once: ${ms(e.loadMs)} |`);
    lines.push(`| \`explain\` (exact set), per question (${e.queries}) | ${ms(e.withoutPortAvgMs)} (max ${ms(e.withoutPortMaxMs)}) | | | |`);
  }
  for (const failure of report.failed) lines.push(`| failed | ${failure.replace(/\|/g, '\\|')} | | | |`);
  lines.push('', 'Each command runs once in a fresh process, end to end as the CLI runs it (read, parse, analyse, write stdout to a file); peak heap: highest heap in use seen by the GC (--trace-gc).');
  return lines.join('\n');
}

function analysisTargets(reports: AnalysisSizeReport[]): string[] {
  const lines: string[] = [];
  const check = (ok: boolean, text: string) => lines.push(`- ${ok ? 'met' : '**MISSED**'}: ${text}`);
  const time = (r: AnalysisSizeReport, command: CliCommand) => r.commands.find((c) => c.result.command === command);
  for (const r of reports) {
    for (const f of r.failed) check(false, `${r.size} ${f}`);
    for (const command of ['reach-json', 'reach-port-json', 'diff-json'] as const) {
      const c = time(r, command);
      if (c) check(c.result.ms < 30_000 && c.peakHeapBytes < 2 ** 31, `${r.size} ${command}: ${ms(c.result.ms)}, peak heap ${mib(c.peakHeapBytes)} (< 30 s, < 2048 MiB)`);
    }
    const recommend = time(r, 'recommend');
    if (recommend) {
      // No target of its own (issue 16 item 4 asks for the figures): most of it is synthesizing the app, one chart per namespace.
      lines.push(`- measured: ${r.size} recommend of ${AUDIT_RECORDS} Hubble records: ${ms(recommend.result.ms)}, peak heap ${mib(recommend.peakHeapBytes)}, max RSS ${mib(recommend.maxRssBytes)}`);
    }
    for (const command of ['audit-json', 'audit-json-no-unused'] as const) {
      const audit = time(r, command);
      if (audit) {
        check(audit.result.ms < 30_000 && audit.maxRssBytes < 2 ** 30,
          `${r.size} ${command} of ${AUDIT_RECORDS} Hubble records: ${ms(audit.result.ms)}, peak heap ${mib(audit.peakHeapBytes)}, max RSS ${mib(audit.maxRssBytes)} (< 30 s, < 1 GiB)`);
      }
    }
    const lint = time(r, 'lint');
    if (lint) check(lint.result.ms < 10_000, `${r.size} lint: ${ms(lint.result.ms)} (< 10 s)`);
    if (r.explain) check(Math.max(r.explain.result.withPortAvgMs, r.explain.result.withoutPortAvgMs) < 50, `${r.size} explain: ${ms(r.explain.result.withPortAvgMs)} and ${ms(r.explain.result.withoutPortAvgMs)} per question (< 50 ms)`);
  }
  const [small, large] = [reports.find((r) => r.size === 'estate-20k'), reports.find((r) => r.size === 'estate')];
  if (small && large) {
    for (const command of COMMANDS) {
      const [a, b] = [time(small, command), time(large, command)];
      if (a && b) {
        const growth = b.result.ms / a.result.ms;
        check(growth <= 1.5 * (large.pods / small.pods), `${command}: ${ratio(growth)} the time for ${ratio(large.pods / small.pods)} the pods and ${ratio(large.policies / small.policies)} the policies (near-linear: ≤ 1.5 × ${ratio(large.pods / small.pods)})`);
      }
    }
  }
  return lines;
}

function table(report: SizeReport): string {
  const spec = SIZES[report.size];
  const kinds = Object.entries(kindCounts(spec)).map(([k, n]) => `${k} ${n}`).join(', ');
  const lines = [
    `### ${report.size}: N=${spec.namespaces} namespaces × M=${spec.workloads} workloads × K=${spec.allowances} allowances = ${report.allowances} allowances (${kinds}); P=${spec.podsPerWorkload} pods per workload; ${report.layout === 'one' ? 'one chart for the whole estate' : 'one chart (and file) per namespace'}${report.synth === 'validate-once' ? '; **experimental cdk8s: the app walked once per synthesis, not once per chart (--synth validate-once)**' : ''}`,
    '',
    '| engine | objects | ours (construct + synth) | ours peak heap | (a) raw cdk8s | (a) peak heap | (b) YAML only | ours / (a) | ours / (b) | same output as (a) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|:---:|',
  ];
  for (const r of report.engines) {
    lines.push(`| ${r.engine} | ${r.objects} | ${ms(r.oursMs)} (${ms(r.constructMs)} + ${ms(r.synthMs)}) | ${mib(r.oursPeakHeap)} | ${ms(r.rawMs)} | ${mib(r.rawPeakHeap)} | ${ms(r.yamlMs)} | ${ratio(r.oursMs / r.rawMs)} | ${ratio(r.oursMs / r.yamlMs)} | ${r.sameOutput ? 'yes' : '**NO**'} |`);
  }
  for (const f of report.failed) {
    lines.push(`| ${f.engine} | failed: ${f.failed.replace(/\|/g, '\\|')} | | | | | | | | |`);
  }
  lines.push('', `Median of ${report.engines[0]?.runs ?? 0} run(s), each in a fresh process after a warm-up synthesis of a 3-namespace estate; peak heap: highest heap in use seen by the GC (--trace-gc), max over runs.`);
  const a = report.analysis;
  if (a) {
    const n = a.naive;
    const agree = n.mismatches === 0 ? 'every verdict agrees with the matrix' : `**${n.mismatches} verdicts disagree with the matrix**`;
    const speedup = `grouped is ${ratio(n.estimatedMs / a.matrixMs)} faster`;
    const naive = n.mode === 'full'
      ? `${duration(n.ms)} for all ${n.totalPairs} pairs (${n.allowedPairs === a.allowedPairs ? 'same allowed pairs' : '**different allowed pairs**'}; ${agree}); ${speedup}`
      : n.mode === 'rows'
        ? `${duration(n.ms)} for every destination of ${n.rows} of ${a.pods} source pods (${n.evaluatedPairs} pairs; ${agree}) → ~${duration(n.estimatedMs)} for all ${n.totalPairs} pairs (extrapolated); ${speedup}`
        : `skipped: naive evaluation of ${a.pods}² = ${n.totalPairs} pairs would take ~${duration(n.estimatedMs)} (extrapolated from ${n.evaluatedPairs} random pairs at ${(n.ms / n.evaluatedPairs).toFixed(3)} ms each; ${agree}); ${speedup}`;
    lines.push('',
      '| analysis (Kubernetes output) | |',
      '|---|---|',
      `| parse ${a.policies} NetworkPolicies (parsePolicies) | ${ms(a.parseMs)} |`,
      `| cluster model: ${a.pods} pods | ${ms(a.clusterMs)} |`,
      `| exact connectivity (index + compute), counted on ${8080}/TCP | ${ms(a.matrixMs)} (${a.groups} groups, ${a.allowedPairs} allowed pairs) |`,
      `| explain: ${a.explainQueries} queries | ${ms(a.explainAvgMs)} per query (max ${ms(a.explainMaxMs)}; ${a.explainMismatches === 0 ? 'all agree with the matrix' : `**${a.explainMismatches} disagree with the matrix**`}) |`,
      `| naive pair-by-pair | ${naive} |`);
  }
  return lines.join('\n');
}

function targets(reports: SizeReport[]): string {
  const lines = ['### Targets', ''];
  const check = (ok: boolean, text: string) => lines.push(`- ${ok ? 'met' : '**MISSED**'}: ${text}`);
  for (const r of reports) {
    for (const f of r.failed) check(false, `${r.size} ${f.engine}: failed (${f.failed})`);
    for (const e of r.engines) check(e.oursMs / e.rawMs <= 1.5, `${r.size} ${e.engine}: ours / raw cdk8s = ${ratio(e.oursMs / e.rawMs)} (≤ 1.5)`);
  }
  const medium = reports.find(r => r.size === 'medium');
  const large = reports.find(r => r.size === 'large');
  if (medium && large) {
    for (const e of large.engines) {
      const m = medium.engines.find(x => x.engine === e.engine);
      if (m) check(e.oursMs / m.oursMs <= 6, `${e.engine}: large / medium = ${ratio(e.oursMs / m.oursMs)} for ${ratio(large.allowances / medium.allowances)} the allowances (≤ 6); raw cdk8s alone: ${ratio(e.rawMs / m.rawMs)}, YAML alone: ${ratio(e.yamlMs / m.yamlMs)}`);
    }
  }
  if (large) {
    for (const e of large.engines) check(e.oursPeakHeap < 2 ** 31, `large ${e.engine}: peak heap ${mib(e.oursPeakHeap)} (< 2048 MiB)`);
    if (large.analysis) {
      check(large.analysis.matrixMs < 10_000, `large full matrix: ${ms(large.analysis.matrixMs)} (< 10 s)`);
      check(large.analysis.explainAvgMs < 20, `large explain: ${ms(large.analysis.explainAvgMs)} per query (< 20 ms)`);
    }
  }
  const ma = medium?.analysis;
  if (ma) {
    check(ma.naive.estimatedMs / ma.matrixMs >= 50, `medium grouped matrix vs naive: ${ratio(ma.naive.estimatedMs / ma.matrixMs)}${ma.naive.mode === 'full' ? '' : ' (naive extrapolated)'} (≥ 50)`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-bench-'));
  const load = os.loadavg().map(x => x.toFixed(2)).join(', ');
  progress(`output in ${root}; load average ${load}`);
  const reports: SizeReport[] = [];
  const analysisReports: AnalysisSizeReport[] = [];
  try {
    workerPath = compile(path.join(root, 'js'));
    for (const size of options.sizes) {
      if (size in ANALYSIS_SIZES) {
        const report = await benchAnalysisSize(size, options, root);
        analysisReports.push(report);
        process.stdout.write(`${analysisTable(report)}\n\n`);
        continue;
      }
      const report = await benchSize(size, options, root);
      reports.push(report);
      process.stdout.write(`${table(report)}\n\n`);
    }
  } finally {
    if (!options.keep) fs.rmSync(root, { recursive: true, force: true });
  }
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}; load average at start ${load}, at end ${os.loadavg().map(x => x.toFixed(2)).join(', ')}`;
  const allTargets = [targets(reports), ...analysisTargets(analysisReports)].join('\n');
  process.stdout.write(`${allTargets}\n\nMachine: ${machine}\n`);
  if (options.json) fs.writeFileSync(options.json, JSON.stringify({ machine, reports, analysis: analysisReports }, null, 2));
}

main().catch(e => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exitCode = 1;
});
