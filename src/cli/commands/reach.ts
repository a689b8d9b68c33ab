import { Command, Option } from 'commander';
import { ReachabilityAnalyzer } from '../../analysis';
import { CommandContext } from '../command-context';
import { readCluster, readPolicies } from '../inputs';
import {
  choiceOption, EvaluatorFlags, evaluatorOptions, policyReadingOptions, portOptions, toEvaluatorOptions,
} from '../options';
import { warnIfPlaintextOnly } from '../plaintext-note';
import { PortFlags, selectPorts } from '../port-selection';
import { renderMatrixMarkdown } from '../render/matrix-markdown';
import { renderMatrixMermaid } from '../render/matrix-mermaid';
import { renderMatrixText } from '../render/matrix-text';
import { MatrixView } from '../render/matrix-view';

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
Without --port, one matrix is computed per port the cluster's pods declare (container ports) or a
policy names (see docs/ANALYSIS.md); --protocol alone keeps those of one protocol.

JSON output:
  with --port     one array of allowed ["<ns>/<pod>", "<ns>/<pod>"] (source, destination) pairs
                  over all pod pairs, self pairs included, in pod order; nothing else on stdout
  without --port  an array of {"port", "protocol", "allowed": [pairs]}, one per port

Examples:
  $ cdk8s-zero-trust reach --cluster cluster.yaml --policies policies.yaml --port 8080 --protocol TCP
  $ cdk8s-zero-trust reach --cluster cluster.yaml --policies dist/*.k8s.yaml --format mermaid
  $ kubectl get namespaces,pods -A -o yaml > cluster.yaml
  $ kubectl get networkpolicies -A -o yaml > policies.yaml`;

/** `reach`: the pod-to-pod reachability matrix. */
export function reachCommand(context: CommandContext): Command {
  const command = new Command('reach')
    .description('print which pods can reach which: the allow/deny matrix per port')
    .requiredOption('--cluster <file>', 'Namespaces and Pods as YAML (multi-document or kind: List, e.g. kubectl get namespaces,pods -A -o yaml)')
    .requiredOption('--policies <files...>', 'policy manifests (NetworkPolicy and every other kind the analyzer reads), YAML or JSON')
    .addOption(choiceOption('--format <format>', 'output format', REACH_FORMATS, 'text'));
  [...portOptions(false), ...policyReadingOptions(), ...evaluatorOptions()].forEach((option: Option) => command.addOption(option));
  return command
    .addHelpText('after', HELP_AFTER)
    .action((flags: ReachFlags) => {
      const cluster = readCluster(context.io, flags.cluster, flags);
      const policies = readPolicies(context.io, flags.policies, { ...flags, cluster });
      const analyzer = new ReachabilityAnalyzer(cluster, policies, toEvaluatorOptions(flags));
      const ports = selectPorts(flags, cluster, [policies]);
      warnIfPlaintextOnly(context, policies);
      const view: MatrixView = {
        pods: cluster.pods.map((pod) => `${pod.namespace}/${pod.name}`),
        matrices: ports.map(({ port, protocol }) => analyzer.matrix(port, protocol)),
      };
      context.io.stdout(render(flags, view));
    });
}

function render(flags: ReachFlags, view: MatrixView): string {
  switch (flags.format) {
    case 'json':
      if (flags.port !== undefined) {
        return `${pairsJson(view.matrices[0].allowedPairs())}\n`;
      }
      return `[${view.matrices.map((matrix) => `{"port":${matrix.port},"protocol":"${matrix.protocol}","allowed":${pairsJson(matrix.allowedPairs())}}`).join(',\n')}]\n`;
    case 'markdown':
      return renderMatrixMarkdown(view);
    case 'mermaid':
      return renderMatrixMermaid(view);
    case 'text':
      return renderMatrixText(view);
  }
}

/** A JSON array of pairs, one pair per line so large outputs diff well. */
function pairsJson(pairs: readonly (readonly [string, string])[]): string {
  return pairs.length === 0 ? '[]' : `[\n${pairs.map((pair) => JSON.stringify(pair)).join(',\n')}\n]`;
}
