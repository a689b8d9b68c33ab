import { InvalidArgumentError, Option } from 'commander';
import { MAX_TEXT_BYTES } from './cli-io';
import { DEFAULT_MAX_INPUT_MIB } from './inputs';
import { EvaluatorOptions, Protocol, PROTOCOLS } from '../analysis';

/** `--port`: an integer from 1 to 65535. */
export function parsePort(value: string): number {
  const port = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidArgumentError('expected a port number from 1 to 65535, e.g. --port 8080');
  }
  return port;
}

/** `--protocol`: TCP, UDP or SCTP, in any case. */
export function parseProtocol(value: string): Protocol {
  const protocol = value.toUpperCase() as Protocol;
  if (!PROTOCOLS.includes(protocol)) {
    throw new InvalidArgumentError(`expected one of ${PROTOCOLS.join(', ')}`);
  }
  return protocol;
}

/** An option whose value must be one of `choices` (commander reports anything else). */
export function choiceOption(flags: string, description: string, choices: readonly string[], defaultValue?: string): Option {
  const option = new Option(flags, description).choices(choices);
  return defaultValue === undefined ? option : option.default(defaultValue);
}

/** `--port` and `--protocol`, with the help text shared by reach, diff and explain. */
export function portOptions(required: boolean): Option[] {
  const port = new Option('--port <number>', 'destination (container) port of the flows').argParser(parsePort);
  const protocol = new Option('--protocol <protocol>', `transport protocol: ${PROTOCOLS.join(', ')}${required ? '' : ' (default TCP when --port is given)'}`)
    .argParser(parseProtocol);
  return required ? [port.makeOptionMandatory(), protocol.default('TCP')] : [port, protocol];
}

/** `--max-input-size`: a positive number of MiB. */
export function parseMebibytes(value: string): number {
  const size = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(size > 0) || size * (1_048_576) > MAX_TEXT_BYTES) {
    throw new InvalidArgumentError(`expected a size in MiB from 1 to ${Math.floor(MAX_TEXT_BYTES / (1_048_576))}, e.g. --max-input-size 512`);
  }
  return size;
}

/** `--default-namespace`: a namespace name, as the API server accepts it. */
export function parseNamespaceName(value: string): string {
  if (value.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value)) {
    throw new InvalidArgumentError('expected a namespace name: at most 63 lower-case letters, digits or "-", starting and ending with a letter or digit');
  }
  return value;
}

/**
 * Options that change how the input files (policies and cluster) are read (`translate: false`:
 * without those only translation needs, for lint).
 */
export function policyReadingOptions(options: { readonly translate?: boolean } = {}): Option[] {
  return [
    new Option('--ignore-other-kinds', 'skip objects of kinds known to carry no network policy (workloads, Services, ConfigMaps…) and say how many; '
      + 'a kind that may allow or deny traffic is an error either way'),
    new Option('--default-namespace <namespace>', 'namespace of namespaced policies whose metadata has none').default('default').argParser(parseNamespaceName),
    new Option('--implicit-namespaces', 'accept pods whose namespace has no Namespace object in the cluster file, assuming only the '
      + 'kubernetes.io/metadata.name label (said on stderr); without it that is an error'),
    new Option('--istio-revision <revision...>', 'Istio revisions (besides default) installed with the same mesh config, which istio.io/rev labels '
      + 'in the cluster file may name; any other revision is an error'),
    new Option('--max-input-size <MiB>', `largest input file read, in MiB (default ${DEFAULT_MAX_INPUT_MIB})`).argParser(parseMebibytes),
    new Option('--allow-empty-policies', 'accept a policy file with no object at all (empty, only comments, items: []) as no policies, '
      + 'and say so on stderr; without it that is an error (an empty file after a failed git show or kubectl must not pass a gate)'),
    ...(options.translate === false ? [] : [
      new Option('--istio-trust-domain <domain>', 'the Istio mesh\'s trust domain (meshConfig.trustDomain, no aliases), for principals that name one; '
        + 'without it such principals are an error'),
    ]),
  ];
}

/** The evaluator's implementation-defined choices (see docs/ANALYSIS.md). */
export function evaluatorOptions(): Option[] {
  return [
    choiceOption('--ip-block-pods <mode>',
      'whether a Kubernetes ipBlock matches pod IPs: match (Calico, upstream e2e; widest) or ignore (Cilium)', ['match', 'ignore'], 'match'),
    choiceOption('--self-traffic <mode>', 'a pod connecting to itself: allow (Kubernetes docs) or evaluate the policies', ['allow', 'evaluate'], 'allow'),
    choiceOption('--node-local-traffic <mode>',
      'traffic between a pod and its own node (host-network pods): allow (Kubernetes docs) or evaluate', ['allow', 'evaluate'], 'allow'),
  ];
}

/** The parsed values of `evaluatorOptions()`. */
export interface EvaluatorFlags {
  readonly ipBlockPods: 'match' | 'ignore';
  readonly selfTraffic: 'allow' | 'evaluate';
  readonly nodeLocalTraffic: 'allow' | 'evaluate';
}

/** Maps the flags to the analyzer's options. */
export function toEvaluatorOptions(flags: EvaluatorFlags): EvaluatorOptions {
  return {
    ipBlockMatchesPods: flags.ipBlockPods === 'match',
    selfTraffic: flags.selfTraffic,
    nodeLocalTraffic: flags.nodeLocalTraffic,
  };
}
