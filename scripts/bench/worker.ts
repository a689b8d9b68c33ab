// One measurement in a fresh process, so that engines and baselines do not share a heap, a JIT or
// a peak: forked by main.ts with --trace-gc (the parent reads the peak heap from it on stdout).
// The task comes in as JSON in argv[2]; the result goes back over IPC. Progress goes to stderr.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CliCommand, EstateFiles, measureExplain, runCommand } from './analysis-bench';
import { ChartLayout, EngineName, SIZES } from './estate';
import { analyze, ChartObjects, NaiveMode, digestFolder, readSources, serializeYaml, synthOurs, synthRaw, SynthMode } from './measure';

/** A measurement the parent asks for. */
export type Task =
  | { readonly kind: 'ours'; readonly size: string; readonly engine: EngineName; readonly layout: ChartLayout; readonly synth: SynthMode; readonly outdir: string; readonly objectsFile?: string }
  | { readonly kind: 'raw'; readonly objectsFile: string; readonly synth: SynthMode; readonly outdir: string }
  | { readonly kind: 'yaml'; readonly objectsFile: string }
  | { readonly kind: 'analysis'; readonly size: string; readonly manifests: string; readonly naive: NaiveMode; readonly naiveRows?: number }
  | { readonly kind: 'analysis-cli'; readonly command: CliCommand; readonly files: EstateFiles; readonly output: string }
  | { readonly kind: 'analysis-explain'; readonly files: EstateFiles; readonly queries: number };

/** What every task reports besides its own figures. */
export interface ProcessFigures {
  /** Peak resident set size of the process (bytes). */
  readonly maxRssBytes: number;
  /** Heap in use at the end (bytes). */
  readonly heapUsedEndBytes: number;
}

const log = (m: string) => process.stderr.write(`    ${m}\n`);

/** A tiny estate of the same shape, synthesized first so that the timed run does not pay for loading and JIT warm-up. */
const WARM_UP = { name: 'warm-up', namespaces: 3, workloads: 5, allowances: 5, podsPerWorkload: 2 };

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'zt-bench-warm-'));
}

function run(task: Task): unknown {
  switch (task.kind) {
    case 'ours': {
      const warm = tmp();
      synthOurs(WARM_UP, task.engine, warm, task.layout, task.synth);
      fs.rmSync(warm, { recursive: true, force: true });
      const r = synthOurs(SIZES[task.size], task.engine, task.outdir, task.layout, task.synth);
      if (task.objectsFile) fs.writeFileSync(task.objectsFile, JSON.stringify(r.charts));
      const { charts: _charts, ...figures } = r;
      return { ...figures, digest: digestFolder(task.outdir) };
    }
    case 'raw': {
      const charts: ChartObjects[] = JSON.parse(fs.readFileSync(task.objectsFile, 'utf8'));
      const warm = tmp();
      synthRaw(charts.slice(0, 3), warm, task.synth);
      fs.rmSync(warm, { recursive: true, force: true });
      const r = synthRaw(charts, task.outdir, task.synth);
      return { ...r, digest: digestFolder(task.outdir) };
    }
    case 'yaml': {
      const charts: ChartObjects[] = JSON.parse(fs.readFileSync(task.objectsFile, 'utf8'));
      serializeYaml(charts.slice(0, 3));
      return serializeYaml(charts);
    }
    case 'analysis':
      return analyze(SIZES[task.size], readSources(task.manifests), { naive: task.naive, naiveRows: task.naiveRows, progress: log });
    case 'analysis-cli':
      return runCommand(task.command, task.files, task.output);
    case 'analysis-explain':
      return measureExplain(task.files, task.queries);
  }
}

async function report(task: Task): Promise<void> {
  let message: { result: unknown; figures: ProcessFigures } | { error: string };
  try {
    const result = await run(task);
    message = { result, figures: { maxRssBytes: process.resourceUsage().maxRSS * 1024, heapUsedEndBytes: process.memoryUsage().heapUsed } };
  } catch (e) {
    // Reported in the table (e.g. cdk8s cannot write a chart of ~130,000 objects), not fatal to the run.
    message = { error: `${(e as Error).name}: ${(e as Error).message}`.split('\n')[0] };
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
  }
  if (process.send) {
    process.send(message, () => process.exit(0));
  } else {
    // Run by hand (e.g. under --cpu-prof): print the result.
    process.stderr.write(`${JSON.stringify(message, null, 2)}\n`);
  }
}

void report(JSON.parse(process.argv[2]) as Task);
