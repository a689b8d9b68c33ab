import { Command, Option } from 'commander';
import {
  AnalysisPolicy, Flow, formatPolicyRef, formatSourceLocation, IpFamily, parseFlowEndpoint, ReachabilityAnalyzer, Verdict,
} from '../../analysis';
import { EXIT_FINDINGS } from '../cli-error';
import { CommandContext } from '../command-context';
import { readCluster, readPolicies } from '../inputs';
import {
  choiceOption, EvaluatorFlags, evaluatorOptions, policyReadingOptions, portOptions, toEvaluatorOptions,
} from '../options';

interface ExplainFlags extends EvaluatorFlags {
  readonly cluster: string;
  readonly policies: string[];
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: Flow['protocol'];
  readonly method?: string;
  readonly path?: string;
  readonly mtls?: boolean;
  readonly ipFamily?: IpFamily;
  readonly format: 'text' | 'json';
  readonly expect?: 'allowed' | 'denied';
  readonly ignoreOtherKinds?: boolean;
  readonly implicitNamespaces?: boolean;
  readonly maxInputSize?: number;
  readonly defaultNamespace: string;
  readonly allowEmptyPolicies?: boolean;
}

const HELP_AFTER = `
An endpoint is <namespace>/<pod> or an IP address; an IP of a pod in the cluster file is that pod.
--method and --path describe an HTTP request for L7 rules (--method defaults to GET, --path to /).
Exit code 0 whatever the verdict, unless --expect says otherwise (then 1 when it differs).

Examples:
  $ cdk8s-zero-trust explain --cluster cluster.yaml --policies policies.yaml \\
      --from production/frontend --to production/backend-api --port 8080 --protocol TCP
  $ cdk8s-zero-trust explain ... --from production/backend-api --to 203.0.113.7 --port 443 --expect denied`;

/** `explain`: the verdict on one flow and the rules that decided it. */
export function explainCommand(context: CommandContext): Command {
  const command = new Command('explain')
    .description('decide one flow and show the policies and rules that allowed or denied it')
    .requiredOption('--cluster <file>', 'Namespaces and Pods as YAML (multi-document or kind: List)')
    .requiredOption('--policies <files...>', 'policy manifests, YAML or JSON')
    .requiredOption('--from <endpoint>', 'source: <namespace>/<pod> or an IP address')
    .requiredOption('--to <endpoint>', 'destination: <namespace>/<pod> or an IP address');
  const extra = [
    ...portOptions(true),
    new Option('--method <method>', 'HTTP method of the request (for L7 rules)'),
    new Option('--path <path>', 'HTTP path of the request, query string included (for L7 rules)'),
    new Option('--mtls', 'the client presents a mesh certificate (Istio identity rules match only then)'),
    choiceOption('--ip-family <family>', 'address family of a pod-to-pod flow (default: each family both pods have)', ['IPv4', 'IPv6']),
    choiceOption('--format <format>', 'output format', ['text', 'json'], 'text'),
    choiceOption('--expect <verdict>', 'exit 1 unless the verdict is this (for CI checks)', ['allowed', 'denied']),
    ...policyReadingOptions(),
    ...evaluatorOptions(),
  ];
  extra.forEach((option) => command.addOption(option));
  return command
    .addHelpText('after', HELP_AFTER)
    .action((flags: ExplainFlags) => {
      const cluster = readCluster(context.io, flags.cluster, flags);
      const policies = readPolicies(context.io, flags.policies, { ...flags, cluster });
      const analyzer = new ReachabilityAnalyzer(cluster, policies, toEvaluatorOptions(flags));
      const http = flags.method !== undefined || flags.path !== undefined
        ? { method: (flags.method ?? 'GET').toUpperCase(), path: flags.path ?? '/' }
        : undefined;
      const flow: Flow = {
        source: parseFlowEndpoint(flags.from),
        destination: parseFlowEndpoint(flags.to),
        port: flags.port,
        protocol: flags.protocol,
        ...(flags.ipFamily ? { ipFamily: flags.ipFamily } : {}),
        ...(http ? { http } : {}),
        ...(flags.mtls ? { mesh: { mtls: true } } : {}),
      };
      const verdict = analyzer.evaluate(flow);
      context.io.stdout(flags.format === 'json' ? `${JSON.stringify(verdict, null, 2)}\n` : renderVerdictText(verdict, policies));
      if (flags.expect !== undefined && (flags.expect === 'allowed') !== verdict.allowed) {
        context.io.stderr(`expected the flow to be ${flags.expect}, but it is ${verdict.allowed ? 'allowed' : 'denied'}\n`);
        context.exitCode = EXIT_FINDINGS;
      }
    });
}

/** The verdict's explanation, then where each policy it names is written. */
export function renderVerdictText(verdict: Verdict, policies: readonly AnalysisPolicy[]): string {
  const named = new Set(verdict.steps.flatMap((step) => step.selectedBy));
  const where = new Map<string, string>();
  for (const policy of policies) {
    const ref = formatPolicyRef(policy.ref);
    if (named.has(ref) && policy.source && !where.has(ref)) {
      where.set(ref, formatSourceLocation(policy.source));
    }
  }
  const lines = [verdict.explanation];
  if (where.size > 0) {
    lines.push('', 'policies:');
    const width = Math.max(...[...where.keys()].map((ref) => ref.length));
    for (const [ref, location] of where) {
      lines.push(`  ${ref.padEnd(width)}  ${location}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
