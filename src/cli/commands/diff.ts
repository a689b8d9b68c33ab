import { Command, InvalidArgumentError, Option } from 'commander';
import { ReachabilityAnalyzer } from '../../analysis';
import { EXIT_FINDINGS } from '../cli-error';
import { CommandContext } from '../command-context';
import { readCluster, readPolicies } from '../inputs';
import {
  choiceOption, EvaluatorFlags, evaluatorOptions, policyReadingOptions, portOptions, toEvaluatorOptions,
} from '../options';
import { warnIfPlaintextOnly } from '../plaintext-note';
import { connectionFocus, PortFlags } from '../port-selection';
import { diffReachability } from '../reachability-diff';
import { writeDiffJson } from '../render/diff-json';
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
Compares what two policy sets allow over one cluster, exactly: every pod and every class of
addresses outside the cluster that either set's CIDRs cut out, every port of TCP, UDP and SCTP
(--port and --protocol only narrow the question). Each change carries its reasons, read from one
flow per part of the connections: the "after" rules that allow a gain, and for a loss what allowed
it before and what denies it now. Exit code 0 whatever changed, unless --fail-on-gain (1 when
anything is gained). Connections addressed to the Services of the cluster file (through their
waypoint where bound) are compared too, per endpoint pod, under "To Services".

JSON output: {"schema", "focus", "notes", "gainedPairs", "lostPairs", "classes", "gained", "lost",
"self", "gainedServicePairs", "lostServicePairs", "services"}; a change is {"from", "to",
"connections", "because": [{"connections", "reasons", "example"}]}, a Service change {"service",
"from", "gained", "lost"} (docs/ANALYSIS.md, diff).

Examples:
  $ git show main:deploy/policies.yaml > /tmp/before.yaml
  $ cdk8s-zero-trust diff --cluster cluster.yaml --before /tmp/before.yaml --after deploy/policies.yaml --format markdown
  $ cdk8s-zero-trust diff --cluster cluster.yaml --before old/*.yaml --after new/*.yaml --fail-on-gain`;

/** `diff`: flows gained and lost between two policy sets. */
export function diffCommand(context: CommandContext): Command {
  const command = new Command('diff')
    .description('show the connections a policy change allows and denies, exactly (for reviews and CI)')
    .requiredOption('--cluster <file>', 'Namespaces and Pods as YAML (multi-document or kind: List)')
    .requiredOption('--before <files...>', 'the policy manifests before the change')
    .requiredOption('--after <files...>', 'the policy manifests after the change');
  const extra = [
    ...portOptions(false),
    choiceOption('--format <format>', 'output format (markdown: a pull-request comment)', ['text', 'json', 'markdown'], 'text'),
    new Option('--fail-on-gain', 'exit 1 when the change allows any connection that was denied'),
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
      warnIfPlaintextOnly(context, [...before, ...after], cluster);
      const options = toEvaluatorOptions(flags);
      const analyzers = [before, after].map((policies) => new ReachabilityAnalyzer(cluster, policies, options));
      const diff = diffReachability(analyzers[0], analyzers[1], connectionFocus(flags));
      const write = (text: string) => context.io.stdout(text);
      switch (flags.format) {
        case 'json':
          writeDiffJson(diff, write);
          break;
        case 'markdown':
          write(renderDiffMarkdown(diff, flags.maxRows));
          break;
        case 'text':
          write(renderDiffText(diff));
          break;
      }
      if (flags.failOnGain && (diff.gainedPairs > 0 || diff.services.gainedPairs > 0)) {
        const pairs = `${diff.gainedPairs} pair${diff.gainedPairs === 1 ? '' : 's'} of endpoints`;
        const services = diff.services.gainedPairs === 0 ? ''
          : ` and ${diff.services.gainedPairs} client${diff.services.gainedPairs === 1 ? '' : 's'} of Services`;
        context.io.stderr(`connections gained between ${pairs}${services} (--fail-on-gain)\n`);
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
