import { Command, InvalidArgumentError, Option } from 'commander';
import { ReachabilityAnalyzer } from '../../analysis';
import { EXIT_FINDINGS } from '../cli-error';
import { CommandContext } from '../command-context';
import { readCluster, readPolicies } from '../inputs';
import {
  choiceOption, EvaluatorFlags, evaluatorOptions, policyReadingOptions, portOptions, toEvaluatorOptions,
} from '../options';
import { warnIfPlaintextOnly } from '../plaintext-note';
import { formatPortProtocol, PortFlags, selectPorts } from '../port-selection';
import { diffReachability } from '../reachability-diff';
import { renderDiffMarkdown } from '../render/diff-markdown';
import { renderDiffText } from '../render/diff-text';

interface DiffFlags extends PortFlags, EvaluatorFlags {
  readonly cluster: string;
  readonly before: string[];
  readonly after: string[];
  readonly format: 'text' | 'json' | 'markdown';
  readonly failOnGain?: boolean;
  readonly maxRows: number;
  readonly ignoreOtherKinds?: boolean;
  readonly implicitNamespaces?: boolean;
  readonly maxInputSize?: number;
  readonly defaultNamespace: string;
  readonly allowEmptyPolicies?: boolean;
}

const HELP_AFTER = `
Compares the reachability matrices of two policy sets over one cluster, on --port or on every port
the pods declare or either policy set names. Each changed flow comes with its reason under the
"after" policies: the rules that allow a gained flow, the isolation that denies a lost one.
Exit code 0 whatever changed, unless --fail-on-gain (1 when any flow is gained).

JSON output: {"ports": ["8080/TCP", …], "gained": [flow…], "lost": [flow…]} where a flow is
{"source", "destination", "port", "protocol", "because": [reasons]}.

Examples:
  $ git show main:deploy/policies.yaml > /tmp/before.yaml
  $ cdk8s-zero-trust diff --cluster cluster.yaml --before /tmp/before.yaml --after deploy/policies.yaml --format markdown
  $ cdk8s-zero-trust diff --cluster cluster.yaml --before old/*.yaml --after new/*.yaml --fail-on-gain`;

/** `diff`: flows gained and lost between two policy sets. */
export function diffCommand(context: CommandContext): Command {
  const command = new Command('diff')
    .description('show the flows a policy change allows and denies (for reviews and CI)')
    .requiredOption('--cluster <file>', 'Namespaces and Pods as YAML (multi-document or kind: List)')
    .requiredOption('--before <files...>', 'the policy manifests before the change')
    .requiredOption('--after <files...>', 'the policy manifests after the change');
  const extra = [
    ...portOptions(false),
    choiceOption('--format <format>', 'output format (markdown: a pull-request comment)', ['text', 'json', 'markdown'], 'text'),
    new Option('--fail-on-gain', 'exit 1 when the change allows any flow that was denied'),
    new Option('--max-rows <number>', 'markdown: rows per table before the rest is summarised').argParser(parseCount).default(100),
    ...policyReadingOptions(),
    ...evaluatorOptions(),
  ];
  extra.forEach((option) => command.addOption(option));
  return command
    .addHelpText('after', HELP_AFTER)
    .action((flags: DiffFlags) => {
      const cluster = readCluster(context.io, flags.cluster, flags);
      const before = readPolicies(context.io, flags.before, { ...flags, cluster }, 'policy file (--before)');
      const after = readPolicies(context.io, flags.after, { ...flags, cluster }, 'policy file (--after)');
      warnIfPlaintextOnly(context, [...before, ...after]);
      const options = toEvaluatorOptions(flags);
      const ports = selectPorts(flags, cluster, [before, after]);
      const diff = diffReachability(new ReachabilityAnalyzer(cluster, before, options), new ReachabilityAnalyzer(cluster, after, options), ports);
      switch (flags.format) {
        case 'json':
          context.io.stdout(`${JSON.stringify({ ports: diff.ports.map(formatPortProtocol), gained: diff.gained, lost: diff.lost }, null, 2)}\n`);
          break;
        case 'markdown':
          context.io.stdout(renderDiffMarkdown(diff, flags.maxRows));
          break;
        case 'text':
          context.io.stdout(renderDiffText(diff));
          break;
      }
      if (flags.failOnGain && diff.gained.length > 0) {
        context.io.stderr(`${diff.gained.length} flow${diff.gained.length === 1 ? '' : 's'} gained (--fail-on-gain)\n`);
        context.exitCode = EXIT_FINDINGS;
      }
    });
}

function parseCount(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new InvalidArgumentError('expected a positive integer');
  }
  return Number(value);
}
