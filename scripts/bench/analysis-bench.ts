// The analysis benchmark at estate scale (issue 12 §3): the CLI's reach, diff and lint on the
// generated estate of analysis-estate.ts, and explain per query. Each task runs in a fresh child
// process (worker.ts); these are the functions it calls.
import * as fs from 'fs';
import * as path from 'path';
import { AnalysisEstateSize, clusterYaml, policiesYaml, POLICIES_PER_NAMESPACE } from './analysis-estate';
import { writeHubbleFlows } from './flow-estate';
import { random } from './measure';
import { ClusterModel, FlowEndpoint, ipEndpoint, parseCluster, parsePolicies, podEndpoint, ReachabilityAnalyzer } from '../../src/analysis';
import { CliIo, readBoundedChunks } from '../../src/cli/cli-io';
import { renderConnections, renderVerdictText } from '../../src/cli/commands/explain';
import { main } from '../../src/cli/main';

/** The files of one generated estate. */
export interface EstateFiles {
  readonly cluster: string;
  readonly before: string;
  readonly after: string;
  /** A million Hubble records over the estate (`audit-json` only). */
  readonly flows?: string;
}

/** The flow records `audit-json` reads (issue 16 item 6). */
export const AUDIT_RECORDS = 1_000_000;

/** Writes the estate's cluster and both policy sets into `dir`; returns their paths and how long it took. */
export function writeEstate(
  size: AnalysisEstateSize, dir: string, withFlows = false,
): EstateFiles & { readonly ms: number; readonly bytes: number; readonly flowBytes: number } {
  const start = performance.now();
  fs.mkdirSync(dir, { recursive: true });
  const files = { cluster: path.join(dir, 'cluster.yaml'), before: path.join(dir, 'before.yaml'), after: path.join(dir, 'after.yaml') };
  fs.writeFileSync(files.cluster, clusterYaml(size));
  fs.writeFileSync(files.before, policiesYaml(size, 'before'));
  fs.writeFileSync(files.after, policiesYaml(size, 'after'));
  const bytes = Object.values(files).reduce((n, file) => n + fs.statSync(file).size, 0);
  const flows = path.join(dir, 'flows.jsonl');
  const flowBytes = withFlows ? writeHubbleFlows(size, flows, AUDIT_RECORDS) : 0;
  return { ...files, ...(withFlows ? { flows } : {}), ms: performance.now() - start, bytes, flowBytes };
}

/** The CLI commands measured, by name. */
export type CliCommand = 'reach-json' | 'reach-port-json' | 'diff-json' | 'lint' | 'audit-json' | 'audit-json-no-unused' | 'import' | 'recommend';

/** The argv of a measured command (`output`: the file its stdout goes to; import writes its app next to it). */
export function commandArgs(command: CliCommand, files: EstateFiles, output = ''): string[] {
  switch (command) {
    case 'import':
      // The estate's pods are in 10.0.0.0/8 (analysis-estate.ts); the Service range is any other.
      return ['import', '--cluster', files.cluster, '--policies', files.before, '--pod-cidr', '10.0.0.0/8', '--service-cidr', '172.20.0.0/16',
        '--out', `${output}.app`];
    case 'reach-json':
      return ['reach', '--cluster', files.cluster, '--policies', files.before, '--format', 'json'];
    case 'reach-port-json':
      return ['reach', '--cluster', files.cluster, '--policies', files.before, '--port', '8080', '--format', 'json'];
    case 'diff-json':
      return ['diff', '--cluster', files.cluster, '--before', files.before, '--after', files.after, '--format', 'json'];
    case 'lint':
      return ['lint', '--policies', files.before];
    case 'audit-json':
      if (!files.flows) throw new Error('audit-json needs the flow file (writeEstate with flows)');
      return ['audit', '--flows', files.flows, '--cluster', files.cluster, '--policies', files.before, '--format', 'json', '--fail-on', 'none'];
    case 'audit-json-no-unused':
      // Without the unused allowances, which need the whole connectivity (as reach does).
      return [...commandArgs('audit-json', files), '--no-unused'];
    case 'recommend':
      // The app for the same million records (issue 16 item 4), written into a new folder next to the output. The
      // estate's pending pods (no IP) appear in the generated flows: left out and listed (--ignore-unknown-pods).
      if (!files.flows) throw new Error('recommend needs the flow file (writeEstate with flows)');
      return ['recommend', '--flows', files.flows, '--cluster', files.cluster, '--out', `${files.flows}.recommended`,
        '--pod-cidr', '10.0.0.0/8', '--service-cidr', '172.20.0.0/16', '--ignore-unknown-pods'];
  }
}

/** What one CLI run did. */
export interface CliResult {
  readonly command: CliCommand;
  readonly ms: number;
  readonly exitCode: number;
  readonly outputBytes: number;
  readonly stderr: string;
}

/** Runs the CLI in this process as a user would (files in, stdout to a file), timed end to end. */
export async function runCommand(command: CliCommand, files: EstateFiles, output: string): Promise<CliResult> {
  const fd = fs.openSync(output, 'w');
  let bytes = 0;
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => {
      bytes += Buffer.byteLength(text);
      fs.writeSync(fd, text);
    },
    stderr: (text) => {
      stderr += text;
    },
    readFile: (file) => fs.readFileSync(file, 'utf8'),
    readChunks: readBoundedChunks,
    env: {},
  };
  if (command === 'recommend') fs.rmSync(`${files.flows}.recommended`, { recursive: true, force: true });
  const start = performance.now();
  const exitCode = await main(commandArgs(command, files, output), io);
  const ms = performance.now() - start;
  fs.closeSync(fd);
  fs.rmSync(`${output}.app`, { recursive: true, force: true });
  return { command, ms, exitCode, outputBytes: bytes, stderr: stderr.slice(0, 2000) };
}

/** What `explain` costs per question, once the files are read. */
export interface ExplainResult {
  /** Reading and parsing the cluster and the policies, and indexing them (once). */
  readonly loadMs: number;
  readonly queries: number;
  /** `explain --port`: the verdict and its text. */
  readonly withPortAvgMs: number;
  readonly withPortMaxMs: number;
  /** `explain` without --port: the exact set between the endpoints and the rules per part. */
  readonly withoutPortAvgMs: number;
  readonly withoutPortMaxMs: number;
}

/**
 * Answers `queries` explain questions of both kinds on random pod pairs and pod-to-address pairs,
 * after one load (as an interactive session, or a script that asks many questions, would).
 */
export function measureExplain(files: EstateFiles, queries: number): ExplainResult {
  let start = performance.now();
  const cluster: ClusterModel = parseCluster({ file: files.cluster, text: fs.readFileSync(files.cluster, 'utf8') });
  const policies = parsePolicies({ file: files.before, text: fs.readFileSync(files.before, 'utf8') });
  const analyzer = new ReachabilityAnalyzer(cluster, policies);
  const loadMs = performance.now() - start;
  const rnd = random(5);
  const pods = cluster.pods.filter((pod) => pod.ips.length > 0);
  const pick = (): FlowEndpoint => {
    const pod = pods[Math.floor(rnd() * pods.length)];
    return podEndpoint(pod.namespace, pod.name);
  };
  const questions: [FlowEndpoint, FlowEndpoint][] = [];
  for (let i = 0; i < queries; i++) {
    questions.push(i % 4 === 3 ? [pick(), ipEndpoint(`100.64.0.${i % 256}`)] : [pick(), pick()]);
  }
  const time = (run: () => string) => {
    start = performance.now();
    if (run().length === 0) throw new Error('explain printed nothing');
    return performance.now() - start;
  };
  const withPort = questions.map(([source, destination]) => time(() => renderVerdictText(analyzer.evaluate({ source, destination, port: 8080, protocol: 'TCP' }), policies)));
  const withoutPort = questions.map(([source, destination]) => time(() => renderConnections(analyzer, policies, source, destination, 'text', [])));
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    loadMs,
    queries,
    withPortAvgMs: avg(withPort),
    withPortMaxMs: Math.max(...withPort),
    withoutPortAvgMs: avg(withoutPort),
    withoutPortMaxMs: Math.max(...withoutPort),
  };
}

/** Pods, namespaces and policies of a size, for the tables. */
export function estateCounts(size: AnalysisEstateSize): { pods: number; namespaces: number; policies: number } {
  return {
    pods: size.namespaces * size.workloads * size.podsPerWorkload + 2 + size.nodes,
    namespaces: size.namespaces + 2,
    policies: size.namespaces * POLICIES_PER_NAMESPACE,
  };
}
