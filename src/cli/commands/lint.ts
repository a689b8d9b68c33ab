import { Command, Option } from 'commander';
import { CNP_PROFILES } from '../../analysis';
import { EXIT_FINDINGS, CliError } from '../cli-error';
import { CommandContext } from '../command-context';
import { checkEmptySources, readCluster, readSources, reportSkippedKinds } from '../inputs';
import { loadLintObjects } from '../lint/load-lint-objects';
import { runLint } from '../lint/run-lint';
import { ZERO_TRUST_PACK } from '../lint/zero-trust-pack';
import { choiceOption, policyReadingOptions } from '../options';
import { renderLintText } from '../render/lint-text';

interface LintFlags {
  readonly policies?: string[];
  readonly cluster?: string;
  readonly format: 'text' | 'json';
  readonly strict?: boolean;
  readonly skip?: string[];
  readonly listRules?: boolean;
  readonly ignoreOtherKinds?: boolean;
  readonly implicitNamespaces?: boolean;
  readonly maxInputSize?: number;
  readonly defaultNamespace: string;
  readonly allowEmptyPolicies?: boolean;
  readonly implementation?: string;
}

const HELP_AFTER = `
Each finding names the rule, the object (kind, namespace/name, file and document), the field, what
goes wrong at runtime and the fix. Errors open or close flows against the evident intent; warnings
are implicit defaults and portability traps. Exit code 1 when there is an error finding (or, with
--strict, any finding), 2 when the input cannot be read. --list-rules prints the rules.

JSON output: {"findings": [{"ruleId", "severity", "object": {kind, apiVersion, namespace, name,
file, document, item}, "path", "message", "fix"}], "summary": {"errors", "warnings", "objects"}}.

Examples:
  $ cdk8s-zero-trust lint --policies dist/*.k8s.yaml --ignore-other-kinds
  $ cdk8s-zero-trust lint --policies policies.yaml --cluster cluster.yaml --strict --format json`;

/** `lint`: footguns in policy manifests. */
export function lintCommand(context: CommandContext): Command {
  const command = new Command('lint')
    .description('find policy footguns: allow-all holes, DNS cut off by default deny, dialect traps (rule id, object, fix)')
    .option('--policies <files...>', 'policy manifests of any dialect, YAML or JSON (required unless --list-rules)')
    .option('--cluster <file>', 'Namespaces and Pods, for rules that need the cluster (ipBlocks over pod IPs, ambient namespaces)');
  const extra = [
    choiceOption('--format <format>', 'output format', ['text', 'json'], 'text'),
    new Option('--strict', 'exit 1 on warnings too'),
    new Option('--skip <rule-ids...>', 'rules not to run'),
    new Option('--list-rules', 'print the rules (id, severity, summary, sources) and exit'),
    choiceOption('--implementation <name>', 'the ClusterNetworkPolicy implementation of the cluster, for rules that check what it supports', Object.keys(CNP_PROFILES)),
    ...policyReadingOptions({ translate: false }),
  ];
  extra.forEach((option) => command.addOption(option));
  return command
    .addHelpText('after', HELP_AFTER)
    .action((flags: LintFlags) => {
      if (flags.listRules) {
        context.io.stdout(listRules(flags.format));
        return;
      }
      if (!flags.policies || flags.policies.length === 0) {
        throw new CliError("required option '--policies <files...>' not specified");
      }
      const known = new Set(ZERO_TRUST_PACK.map((rule) => rule.id));
      const unknown = (flags.skip ?? []).filter((id) => !known.has(id));
      if (unknown.length > 0) {
        throw new CliError(`--skip: unknown rule ${unknown.join(', ')}; see --list-rules`);
      }
      const pack = ZERO_TRUST_PACK.filter((rule) => !(flags.skip ?? []).includes(rule.id));
      const cluster = flags.cluster === undefined ? undefined : readCluster(context.io, flags.cluster, flags);
      const skippedKinds = new Map<string, number>();
      const objectCounts: number[] = [];
      const sources = readSources(context.io, flags.policies, 'policy file', flags);
      const loaded = loadLintObjects(sources, { ...flags, skippedKinds, objectCounts });
      checkEmptySources(context.io, sources, objectCounts, 'policy file', flags);
      reportSkippedKinds(context.io, skippedKinds, 'policy file');
      if (loaded.unvalidatedKinds.length > 0) {
        context.io.stderr(`note: ${loaded.unvalidatedKinds.join(', ')} objects were linted as written, without schema validation\n`);
      }
      const implementation = flags.implementation === undefined ? undefined : CNP_PROFILES[flags.implementation];
      const findings = runLint(pack, loaded.objects, { ...(cluster ? { cluster } : {}), ...(implementation ? { implementation } : {}) });
      const errors = findings.filter((finding) => finding.severity === 'error').length;
      const warnings = findings.length - errors;
      if (flags.format === 'json') {
        context.io.stdout(`${JSON.stringify({ findings, summary: { errors, warnings, objects: loaded.objects.length } }, null, 2)}\n`);
      } else {
        context.io.stdout(renderLintText(findings, loaded.objects.length));
      }
      if (errors > 0 || (flags.strict && warnings > 0)) {
        context.exitCode = EXIT_FINDINGS;
      }
    });
}

function listRules(format: 'text' | 'json'): string {
  if (format === 'json') {
    return `${JSON.stringify(ZERO_TRUST_PACK.map(({ id, severity, summary, sources }) => ({ id, severity, summary, sources })), null, 2)}\n`;
  }
  const width = Math.max(...ZERO_TRUST_PACK.map((rule) => rule.id.length));
  return `${ZERO_TRUST_PACK.map((rule) => `${rule.id.padEnd(width)}  ${rule.severity.padEnd(7)}  ${rule.summary}\n${' '.repeat(width + 11)}${rule.sources}`).join('\n')}\n`;
}
