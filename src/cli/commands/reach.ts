import { Command, Option } from 'commander';
import { ReachabilityAnalyzer } from '../../analysis';
import { CommandContext } from '../command-context';
import { readCluster, readPolicies } from '../inputs';
import {
  choiceOption, EvaluatorFlags, evaluatorOptions, policyReadingOptions, portOptions, toEvaluatorOptions,
} from '../options';
import { warnIfPlaintextOnly } from '../plaintext-note';
import { connectionFocus, PortFlags } from '../port-selection';
import { reachReport } from '../reach-report';
import { writePairsJson, writeReachJson } from '../render/reach-json';
import { renderReachMarkdown } from '../render/reach-markdown';
import { renderReachMermaid } from '../render/reach-mermaid';
import { renderReachText } from '../render/reach-text';
import { serviceReport } from '../service-report';

/** Output formats of `reach`. */
export const REACH_FORMATS = ['text', 'json', 'markdown', 'mermaid'] as const;

interface ReachFlags extends PortFlags, EvaluatorFlags {
  readonly cluster: string;
  readonly policies: string[];
  readonly format: typeof REACH_FORMATS[number];
  readonly ignoreOtherKinds?: boolean;
  readonly implicitNamespaces?: boolean;
  readonly maxInputSize?: number;
  readonly defaultNamespace: string;
  readonly allowEmptyPolicies?: boolean;
}

const HELP_AFTER = `
The answer is exact: for every source and destination (pods, and the classes of addresses outside
the cluster that the policies' CIDRs cut out), the allowed connections as protocol and port ranges
(TCP 1000-2999, UDP 53). --port and --protocol only narrow the question.

JSON output:
  with --port     one array of allowed ["<ns>/<pod>", "<ns>/<pod>"] (source, destination) pairs
                  over all pod pairs, self pairs included, in pod order; nothing else on stdout
                  (notes go to stderr)
  without --port  {"schema", "focus", "selfTraffic", "notes", "classes", "allowed", "self",
                  "services"}: see docs/ANALYSIS.md (reach, JSON); "services" holds the connections
                  addressed to each Service of the cluster file bound to a waypoint (ClusterIP and
                  Service port, through the waypoint), per endpoint pod

Examples:
  $ cdk8s-zero-trust reach --cluster cluster.yaml --policies policies.yaml
  $ cdk8s-zero-trust reach --cluster cluster.yaml --policies policies.yaml --port 8080 --protocol TCP --format json
  $ cdk8s-zero-trust reach --cluster cluster.yaml --policies dist/*.k8s.yaml --format mermaid
  $ kubectl get namespaces,pods,services,serviceaccounts,gateways -A -o yaml > cluster.yaml
  $ kubectl get networkpolicies -A -o yaml > policies.yaml`;

/** `reach`: what can connect to what, exactly. */
export function reachCommand(context: CommandContext): Command {
  const command = new Command('reach')
    .description('print what can connect to what: the exact connections between pods and external address classes')
    .requiredOption('--cluster <file>', 'Namespaces and Pods (and Services, ServiceAccounts, waypoint Gateways) as YAML (multi-document or kind: List, e.g. kubectl get namespaces,pods,services,serviceaccounts,gateways -A -o yaml)')
    .requiredOption('--policies <files...>', 'policy manifests (NetworkPolicy and every other kind the analyzer reads), YAML or JSON')
    .addOption(choiceOption('--format <format>', 'output format', REACH_FORMATS, 'text'));
  [...portOptions(false), ...policyReadingOptions(), ...evaluatorOptions()].forEach((option: Option) => command.addOption(option));
  return command
    .addHelpText('after', HELP_AFTER)
    .action((flags: ReachFlags) => {
      const cluster = readCluster(context.io, flags.cluster, flags);
      const policies = readPolicies(context.io, flags.policies, { ...flags, cluster });
      const analyzer = new ReachabilityAnalyzer(cluster, policies, toEvaluatorOptions(flags));
      const focus = connectionFocus(flags);
      const connectivity = analyzer.connectivity(analyzer.universe(focus.scope));
      warnIfPlaintextOnly(context, policies, cluster);
      const write = (text: string) => context.io.stdout(text);
      if (flags.format === 'json' && flags.port !== undefined) {
        // The pair list is the contract: stdout holds nothing else. What was assumed and left out
        // is on stderr already, said by readCluster (implicit namespaces, pods without an address).
        writePairsJson(connectivity, flags.port, flags.protocol ?? 'TCP', write);
        return;
      }
      const report = reachReport(connectivity, focus, serviceReport(analyzer, connectivity.universe, focus));
      switch (flags.format) {
        case 'json':
          writeReachJson(report, write);
          break;
        case 'markdown':
          write(renderReachMarkdown(report));
          break;
        case 'mermaid':
          write(renderReachMermaid(report));
          break;
        case 'text':
          write(renderReachText(report));
          break;
      }
    });
}
