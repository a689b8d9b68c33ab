import { InvalidArgumentError, Option } from 'commander';
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

/** Options that change how policies are read (`translate: false`: without those only translation needs, for lint). */
export function policyReadingOptions(options: { readonly translate?: boolean } = {}): Option[] {
  return [
    new Option('--ignore-other-kinds', 'skip objects that are not policies (Deployments, Services, Gateways…) instead of failing'),
    new Option('--default-namespace <namespace>', 'namespace of namespaced policies whose metadata has none').default('default'),
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
