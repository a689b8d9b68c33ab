import * as fs from 'fs';
import * as path from 'path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { readFlows } from './audit';
import { AnalysisInputError, DEFAULT_MAX_DISTINCT_FLOWS, FLOW_FORMATS, FlowFormat, tryParseCidr } from '../../analysis';
import { PLAN_ENGINE_KINDS, PlanEngineKind } from '../../importer/import-plan';
import { DEFAULT_MAX_HTTP_RULES } from '../../importer/recommend/http-rules';
import { ObservedConnectionsReader } from '../../importer/recommend/observed-connections';
import { RecommendSynthesisError, runRecommend } from '../../importer/recommend/run-recommend';
import { CliError } from '../cli-error';
import { CommandContext } from '../command-context';
import { readCluster } from '../inputs';
import { choiceOption, EvaluatorFlags, evaluatorOptions, parseMebibytes, parseNamespaceName, toEvaluatorOptions } from '../options';
import { appDependencyVersion, packageVersion } from '../package-version';
import { writeRecommendJson } from '../render/recommend-json';
import { renderRecommendMarkdown } from '../render/recommend-markdown';
import { renderRecommendText } from '../render/recommend-text';

/** The files `recommend` writes; an --out folder that already holds one of them is refused. */
export const RECOMMEND_FILES = ['main.ts', 'main.test.ts', 'package.json', 'tsconfig.json', 'cdk8s.yaml'];

interface RecommendFlags extends EvaluatorFlags {
  readonly flows: string;
  readonly flowsFormat: FlowFormat | 'auto';
  readonly cluster: string;
  readonly out: string;
  readonly engine: PlanEngineKind;
  readonly namespaces?: string[];
  readonly mergeWorkloads?: boolean;
  readonly includeUnverdicted?: boolean;
  readonly ignoreUnknownPods?: boolean;
  readonly externalIpv4Prefix?: number;
  readonly externalIpv6Prefix?: number;
  readonly podCidr?: string[];
  readonly serviceCidr?: string[];
  readonly maxAllowTests: number;
  readonly denySamples: number;
  readonly maxListed: number;
  readonly maxDistinctFlows: number;
  readonly maxFlowInputSize?: number;
  readonly library: string;
  readonly implicitNamespaces?: boolean;
  readonly maxInputSize?: number;
  readonly ciliumHttpNormalizePath?: boolean;
  readonly maxHttpRules: number;
  readonly httpL4OverMax?: boolean;
  readonly httpPathPrefixDepth?: number;
  readonly format: typeof RECOMMEND_FORMATS[number];
}

/** Output formats of `recommend`'s report. */
export const RECOMMEND_FORMATS = ['text', 'json', 'markdown'] as const;

const HELP_AFTER = `
Writes the cdk8s app that allows exactly the observed flows at workload granularity: every
namespace with an observed pod isolated both ways (DefaultDeny), and one AllowFrom / AllowTo /
EgressToCidr per pair of workloads (or a workload and an outside address) with exactly the
observed ports. A workload is the pods of one controller (ownerReferences); its selector is the
first of app.kubernetes.io/name, app, k8s-app, or the labels its pods share, that selects exactly
its pods — the report says which and why. Outside addresses are allowed one by one (/32, /128).

Before writing, the app is built and synthesized in process and the observed flows are audited
against it with the exact engine: every one must be allowed, and the report lists what else the
grouping allows (other pods of an observed workload). main.test.ts asserts the observed flows
with toAllow and a deterministic sample of unobserved flows with toDeny.

Left out, with the reason: flows denied or dropped when observed, records without a verdict
(--include-unverdicted), host-network pods and nodes, ICMP, and replies (the request decides).

Exit codes: 0 written; 2 a usage or input error (file, line and field named; nothing written).

Examples:
  $ hubble observe --since 24h -o json > flows.jsonl
  $ kubectl get namespaces,pods -A -o yaml > cluster.yaml
  $ cdk8s-zero-trust recommend --flows flows.jsonl --cluster cluster.yaml --out recommended \\
      --pod-cidr 10.244.0.0/16 --service-cidr 10.96.0.0/12
  $ cd recommended && npm install && npx jest && npx cdk8s synth`;

function count(value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw new InvalidArgumentError(`expected a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

function collectCidr(value: string, previous: string[] | undefined): string[] {
  const parsed = tryParseCidr(value);
  if (typeof parsed === 'string') throw new InvalidArgumentError(parsed);
  return [...(previous ?? []), parsed.text];
}

function namespaces(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map(v => v.trim()).filter(v => v !== '').map(parseNamespaceName)];
}

/** `recommend`: observed flows → the intent app that allows exactly them, proven, with its tests. */
export function recommendCommand(context: CommandContext): Command {
  const command = new Command('recommend')
    .description('write the cdk8s app of intents that allows exactly the observed flows at workload granularity, proven before it is written, with main.test.ts')
    .requiredOption('--flows <file>', 'the observed flows (- for standard input): Hubble, Calico flow logs, neutral CSV/JSON')
    .addOption(choiceOption('--flows-format <format>', 'format of the flow file', ['auto', ...FLOW_FORMATS], 'auto'))
    .requiredOption('--cluster <file>', 'Namespaces and Pods as YAML (kubectl get namespaces,pods -A -o yaml), taken while the flows were captured')
    .requiredOption('--out <dir>', `folder to write ${RECOMMEND_FILES.join(', ')} into (created; must not hold them yet)`);
  const extra = [
    choiceOption('--engine <engine>', 'engine of the generated app', PLAN_ENGINE_KINDS, 'kubernetes'),
    choiceOption('--format <format>', 'format of the report on stdout (json: docs/RECOMMEND.md, "JSON report")', RECOMMEND_FORMATS, 'text'),
    new Option('--cilium-http-normalize-path', 'declare that Cilium\'s agent normalizes HTTP paths (http-normalize-path, on by default): '
      + 'with --engine cilium, a port whose observed records are all HTTP requests is allowed for exactly those requests (HTTP rules)'),
    new Option('--max-http-rules <n>', 'most HTTP rules per allowance and port; more is an error (or L4 with --http-l4-over-max)').argParser(count).default(DEFAULT_MAX_HTTP_RULES),
    new Option('--http-l4-over-max', 'allow a port whose observed requests need more than --max-http-rules rules at L4 (any request), with a note, instead of failing'),
    new Option('--http-path-prefix-depth <n>', 'allow a path longer than n segments by the prefix of its first n (/api/v1/orders/17 at 2: /api/v1/*): '
      + 'an approximation the report names; default: exact paths').argParser(count),
    new Option('--namespaces <names>', 'the namespaces to isolate (comma-separated; default: every namespace with an observed pod)').argParser(namespaces),
    new Option('--merge-workloads', 'merge workloads no label selector tells apart into one (what one is allowed, all are); without it such a workload is an error'),
    new Option('--include-unverdicted', 'allow flows whose records say no verdict (a neutral file without a verdict column); without it they are left out'),
    new Option('--ignore-unknown-pods', 'leave out flows of pods the cluster file does not have (listed); without it such a flow is an error'),
    new Option('--external-ipv4-prefix <bits>', 'allow outside IPv4 addresses by their network of this prefix (an approximation the report names; default 32)').argParser(count),
    new Option('--external-ipv6-prefix <bits>', 'the same for IPv6 (default 128)').argParser(count),
    new Option('--pod-cidr <cidr...>', 'the cluster\'s pod CIDRs (needed when an outside address is allowed: the engine\'s TargetProfile)').argParser(collectCidr),
    new Option('--service-cidr <cidr...>', 'the cluster\'s Service CIDRs (needed with --pod-cidr)').argParser(collectCidr),
    new Option('--max-allow-tests <n>', 'most toAllow assertions in main.test.ts (one per allowance and port)').argParser(count).default(500),
    new Option('--deny-samples <n>', 'how many unobserved flows main.test.ts asserts denied').argParser(count).default(20),
    new Option('--max-listed <n>', 'entries listed per section of the report').argParser(count).default(50),
    new Option('--max-distinct-flows <n>', 'most distinct flows held (memory grows with them, not with records)').argParser(count).default(DEFAULT_MAX_DISTINCT_FLOWS),
    new Option('--max-flow-input-size <MiB>', 'largest flow file read, in MiB (default 65536); it is streamed, never held whole').argParser(parseMebibytes),
    new Option('--library <module>', 'the module main.ts imports the intents from').default('cdk8s-zero-trust'),
    new Option('--implicit-namespaces', 'accept pods whose namespace has no Namespace object in the cluster file (only the kubernetes.io/metadata.name label)'),
    new Option('--max-input-size <MiB>', 'largest cluster file read, in MiB (default 256)').argParser(parseMebibytes),
    ...evaluatorOptions(),
  ];
  extra.forEach((option) => command.addOption(option));
  return command
    .addHelpText('after', HELP_AFTER)
    .action((flags: RecommendFlags) => {
      const io = context.io;
      const out = path.resolve(flags.out);
      checkOut(flags.out, out);
      const cluster = readCluster(io, flags.cluster, flags);
      const reader = new ObservedConnectionsReader(cluster, {
        includeUnverdicted: flags.includeUnverdicted === true,
        ignoreUnknownPods: flags.ignoreUnknownPods === true,
        maxDistinctFlows: flags.maxDistinctFlows,
      });
      const large = { records: 0 };
      const flowsFormat = readFlows(context, flags, {
        flow: (f, n, l) => {
          large.records++;
          reader.flow(f, n, l);
        },
        skipped: (r, l, lost) => reader.skipped(r, l, lost),
      }, 'recommend');
      const flowFile = flags.flows === '-' ? 'standard input' : path.basename(flags.flows);
      let observed;
      try {
        observed = reader.finish();
      } catch (e) {
        if (e instanceof Error && e.name === 'AnalysisInputError') throw new CliError(`flow file ${flags.flows}, ${e.message}`);
        throw e;
      }
      let run;
      try {
        run = runRecommend(cluster, observed, {
          engine: flags.engine,
          flowFile,
          ...(flags.namespaces ? { namespaces: flags.namespaces } : {}),
          mergeUnseparable: flags.mergeWorkloads === true,
          ...(flags.externalIpv4Prefix !== undefined ? { externalIpv4Prefix: flags.externalIpv4Prefix } : {}),
          ...(flags.externalIpv6Prefix !== undefined ? { externalIpv6Prefix: flags.externalIpv6Prefix } : {}),
          ...(flags.podCidr ? { podCidrs: flags.podCidr } : {}),
          ...(flags.serviceCidr ? { serviceCidrs: flags.serviceCidr } : {}),
          maxAllowTests: flags.maxAllowTests,
          denySamples: flags.denySamples,
          library: flags.library,
          // The written app depends on exactly this version, whose synthesis the command proved (as import's).
          libraryVersion: appDependencyVersion(packageVersion()),
          evaluator: toEvaluatorOptions(flags),
          ...(flags.ciliumHttpNormalizePath ? { ciliumHttpNormalizePath: true } : {}),
          http: {
            maxRules: flags.maxHttpRules,
            ...(flags.httpL4OverMax ? { overMaxAtL4: true } : {}),
            ...(flags.httpPathPrefixDepth !== undefined ? { pathPrefixDepth: flags.httpPathPrefixDepth } : {}),
          },
          // Progress for inputs large enough that readFlows reported it.
          ...(large.records >= 250_000 ? { progress: (step: string) => io.stderr(`recommend: ${step}\n`) } : {}),
        });
      } catch (e) {
        if (e instanceof RecommendSynthesisError) throw new CliError(`${e.message} (nothing written)`);
        if (e instanceof AnalysisInputError && e.message.startsWith('line ')) throw new CliError(`flow file ${flags.flows}, ${e.message}`);
        throw e;
      }
      try {
        fs.mkdirSync(out, { recursive: true });
        for (const file of run.files) fs.writeFileSync(path.join(out, file.path), file.text, { flag: 'wx' });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new CliError(`cannot write the app into --out ${flags.out}: `
          + `${code === 'EACCES' ? 'permission denied' : code === 'EEXIST' ? 'a file appeared there meanwhile' : (error as Error).message}`);
      }
      const written = run.files.map(f => path.join(flags.out, f.path));
      switch (flags.format) {
        case 'json':
          writeRecommendJson(run, { flows: flags.flows, format: flowsFormat ?? undefined, engine: flags.engine, written }, io.stdout);
          break;
        case 'markdown':
          io.stdout(renderRecommendMarkdown(run, flags.engine, flags.maxListed));
          break;
        case 'text':
          io.stdout(renderRecommendText(run, flags.engine, run.policyCount, flags.maxListed));
          io.stdout(`wrote ${written.join(', ')}\n`);
          break;
      }
    });
}

function checkOut(given: string, out: string): void {
  if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) {
    throw new CliError(`--out ${given} is a file; give a folder (it is created when missing)`);
  }
  const present = RECOMMEND_FILES.filter(f => fs.existsSync(path.join(out, f)));
  if (present.length > 0) {
    throw new CliError(`--out ${given} already holds ${present.join(', ')}; recommend writes a new app and never overwrites one: choose an empty folder or remove them`);
  }
}
