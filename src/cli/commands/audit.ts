import { Command, InvalidArgumentError, Option } from 'commander';
import {
  AnalysisInputError, AuditResult, DEFAULT_MAX_DISTINCT_FLOWS, FLOW_FORMATS, FlowAudit, FlowFileReader, FlowFormat, FlowInputError, FlowSink,
  ReachabilityAnalyzer,
} from '../../analysis';
import { CliError, EXIT_FINDINGS } from '../cli-error';
import { formatBytes, InputFileError, MAX_TEXT_BYTES } from '../cli-io';
import { CommandContext } from '../command-context';
import { rejectDnsNameAllowances } from '../dns-name-audit';
import { readCluster, readPolicies } from '../inputs';
import { choiceOption, EvaluatorFlags, evaluatorOptions, parseMebibytes, policyReadingOptions, toEvaluatorOptions } from '../options';
import { writeAuditJson } from '../render/audit-json';
import { renderAuditMarkdown } from '../render/audit-markdown';
import { renderAuditText } from '../render/audit-text';

/** Output formats of `audit`. */
export const AUDIT_FORMATS = ['text', 'json', 'markdown'] as const;

/** What `--fail-on` can name. */
export const AUDIT_FAILURES = ['denied', 'differs', 'unmapped', 'unused', 'none'] as const;
type AuditFailure = typeof AUDIT_FAILURES[number];

/** The default bound on a flow file: it is streamed, so this only stops an endless input. */
export const DEFAULT_MAX_FLOW_INPUT_MIB = 65_536;

/** Progress on stderr every this many records. */
const PROGRESS_EVERY = 250_000;

interface AuditFlags extends EvaluatorFlags {
  readonly flows: string;
  readonly flowsFormat: FlowFormat | 'auto';
  readonly cluster: string;
  readonly policies: string[];
  readonly format: typeof AUDIT_FORMATS[number];
  readonly failOn: AuditFailure[];
  readonly maxListed: number;
  readonly unused: boolean;
  readonly maxFlowInputSize?: number;
  readonly maxDistinctFlows: number;
  readonly ignoreDnsNames?: boolean;
  readonly ignoreOtherKinds?: boolean;
  readonly implicitNamespaces?: boolean;
  readonly maxInputSize?: number;
  readonly defaultNamespace: string;
  readonly allowEmptyPolicies?: boolean;
}

const HELP_AFTER = `
Reads observed flows and reports, for the policy set: the flows it would deny (what breaks before
enforcing), the flows whose recorded verdict differs from the analyzer's, the records it could not
map to the cluster model (never dropped in silence), and the allowed connections no observed flow
used (least privilege, per pair of endpoint classes). Identical records are counted once: each
distinct flow is answered once by the exact engine.

Flow formats (--flows-format auto recognises them; docs/ANALYSIS.md, "Flow formats"):
  hubble   hubble observe -o json / -o jsonpb, the Hubble exporter, or bare Flow objects; one per line
  calico   Calico flow logs: Whisker's /api/v1/flows (list or watch stream), Goldmane's emitter,
           Calico Enterprise flow log documents
  csv      neutral: a header line, then source,destination,port,protocol[,method,path,verdict,count]
  json     neutral: the same fields as JSON objects, one per line or in an array

Exit codes: 0 nothing --fail-on names was found; 1 something was (default: an observed flow
the policies would deny); 2 a usage or input error (file, line and field are named).

Examples:
  $ hubble observe --since 24h -o json > flows.jsonl
  $ cdk8s-zero-trust audit --flows flows.jsonl --cluster cluster.yaml --policies dist/*.k8s.yaml
  $ cdk8s-zero-trust audit --flows flows.csv --cluster cluster.yaml --policies policies.yaml --format markdown --fail-on denied,differs`;

function failures(value: string): AuditFailure[] {
  const items = value.split(',').map(v => v.trim()).filter(v => v !== '');
  const wrong = items.filter(v => !(AUDIT_FAILURES as readonly string[]).includes(v));
  if (items.length === 0 || wrong.length > 0) {
    throw new InvalidArgumentError(`expected ${AUDIT_FAILURES.join(', ')} (comma-separated), got ${JSON.stringify(value)}`);
  }
  if (items.includes('none') && items.length > 1) throw new InvalidArgumentError('none cannot be combined with other conditions');
  return items as AuditFailure[];
}

function count(value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw new InvalidArgumentError(`expected a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** `audit`: observed flows against a policy set. */
export function auditCommand(context: CommandContext): Command {
  const command = new Command('audit')
    .description('audit observed flows (Hubble, Calico flow logs, CSV/JSON) against policies: what they would deny, what differs, what is never used')
    .requiredOption('--flows <file>', 'the observed flows (- for standard input); read as a stream, record by record')
    .addOption(choiceOption('--flows-format <format>', 'format of the flow file', ['auto', ...FLOW_FORMATS], 'auto'))
    .requiredOption('--cluster <file>', 'Namespaces and Pods as YAML (e.g. kubectl get namespaces,pods -A -o yaml)')
    .requiredOption('--policies <files...>', 'policy manifests (every kind the analyzer reads), YAML or JSON')
    .addOption(choiceOption('--format <format>', 'output format', AUDIT_FORMATS, 'text'))
    .addOption(new Option('--fail-on <conditions>', `exit 1 when any is found: ${AUDIT_FAILURES.join(', ')} (comma-separated)`).argParser(failures).default(['denied'], 'denied'))
    .addOption(new Option('--max-listed <n>', 'entries listed per section in text and markdown (JSON lists all)').argParser(count).default(50))
    .addOption(new Option('--max-distinct-flows <n>', 'most distinct flows held (memory grows with them, not with records)')
      .argParser(count).default(DEFAULT_MAX_DISTINCT_FLOWS))
    .addOption(new Option('--ignore-dns-names', 'audit policies that allow DNS names (toFQDNs) with those allowances read as allowing nothing: '
      + 'flow records name addresses, not the name looked up (without it, such policies are an error)'))
    .addOption(new Option('--no-unused', 'do not compute the allowances no observed flow used (which needs the whole connectivity)'))
    .addOption(new Option('--max-flow-input-size <MiB>', `largest flow file read, in MiB (default ${DEFAULT_MAX_FLOW_INPUT_MIB}); it is streamed, never held whole`)
      .argParser(parseMebibytes));
  [...policyReadingOptions(), ...evaluatorOptions()].forEach((option: Option) => command.addOption(option));
  return command
    .addHelpText('after', HELP_AFTER)
    .action((flags: AuditFlags) => {
      const cluster = readCluster(context.io, flags.cluster, flags);
      const policies = readPolicies(context.io, flags.policies, { ...flags, cluster });
      rejectDnsNameAllowances(policies, flags.ignoreDnsNames === true);
      const analyzer = new ReachabilityAnalyzer(cluster, policies, toEvaluatorOptions(flags));
      const audit = new FlowAudit(analyzer, { unused: flags.unused, maxDistinctFlows: flags.maxDistinctFlows });
      const format = readFlows(context, flags, audit, 'audit');
      const result = audit.finish();
      const write = (text: string) => context.io.stdout(text);
      switch (flags.format) {
        case 'json':
          writeAuditJson(result, { flows: flags.flows, format }, write);
          break;
        case 'markdown':
          write(renderAuditMarkdown(result, flags.maxListed));
          break;
        case 'text':
          write(renderAuditText(result, flags.maxListed));
          break;
      }
      if (flags.failOn.some(condition => found(result, condition))) context.exitCode = EXIT_FINDINGS;
    });
}

function found(result: AuditResult, condition: AuditFailure): boolean {
  switch (condition) {
    case 'denied': return result.denied.length > 0;
    case 'differs': return result.differs.length > 0;
    case 'unmapped': return result.unmapped.length > 0;
    case 'unused': return (result.unused?.length ?? 0) > 0;
    case 'none': return false;
  }
}

/** The flags `readFlows` reads. */
export interface FlowFileFlags {
  readonly flows: string;
  readonly flowsFormat: FlowFormat | 'auto';
  readonly maxFlowInputSize?: number;
}

/**
 * Streams the flow file into a sink (an audit, a recommendation); errors name the file, line and
 * field. Progress on stderr names the command. Returns the format read.
 */
export function readFlows(context: CommandContext, flags: FlowFileFlags, audit: FlowSink, command: string): FlowFormat | undefined {
  const io = context.io;
  let records = 0;
  let bytes = 0;
  let next = PROGRESS_EVERY;
  const reader = new FlowFileReader(flags.flows === '-' ? '- (standard input)' : flags.flows, {
    flow: (flow, n, line) => {
      audit.flow(flow, n, line);
      if (++records >= next) {
        next += PROGRESS_EVERY;
        io.stderr(`${command}: ${records} records read (${formatBytes(bytes)})\n`);
      }
    },
    skipped: (reason, line, lost) => audit.skipped(reason, line, lost),
  }, { format: flags.flowsFormat });
  const maxBytes = Math.floor((flags.maxFlowInputSize ?? DEFAULT_MAX_FLOW_INPUT_MIB) * 1_048_576);
  try {
    if (io.readChunks) {
      io.readChunks(flags.flows, maxBytes, (chunk) => {
        bytes += chunk.length;
        reader.push(chunk);
      });
    } else {
      reader.push(Buffer.from(io.readFile(flags.flows, Math.min(maxBytes, MAX_TEXT_BYTES)), 'utf8'));
    }
    reader.end();
  } catch (error) {
    if (error instanceof FlowInputError) throw new CliError(`flow file ${error.message}`);
    if (error instanceof AnalysisInputError) throw new CliError(`flow file ${flags.flows}, ${error.message}`);
    if (error instanceof InputFileError) throw new CliError(`cannot read flow file ${flags.flows}: ${error.reason}`);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`cannot read flow file ${flags.flows}: no such file`);
    if (code === 'EISDIR') throw new CliError(`cannot read flow file ${flags.flows}: it is a directory`);
    if (code === 'EACCES') throw new CliError(`cannot read flow file ${flags.flows}: permission denied`);
    throw error;
  }
  if (records >= PROGRESS_EVERY) io.stderr(`${command}: ${records} records read (${formatBytes(bytes)}); answering the distinct flows\n`);
  return reader.detectedFormat;
}
