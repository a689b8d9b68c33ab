import { Command, Option } from 'commander';
import {
  AnalysisPolicy, ConnectionSet, dnsEndpoint, Flow, FlowEndpoint, formatPolicyRef, formatSourceLocation, IpFamily, parseFlowEndpoint,
  ReachabilityAnalyzer, Verdict,
} from '../../analysis';
import { analysisNotes, DNS_NAME_NOTE } from '../analysis-notes';
import { CliError, EXIT_FINDINGS } from '../cli-error';
import { CommandContext } from '../command-context';
import { readCluster, readPolicies } from '../inputs';
import { intentLines } from '../intent-lines';
import {
  choiceOption, EvaluatorFlags, evaluatorOptions, policyReadingOptions, portOptions, toEvaluatorOptions,
} from '../options';
import { escapeText } from '../render/text-escape';

interface ExplainFlags extends EvaluatorFlags {
  readonly cluster: string;
  readonly policies: string[];
  readonly from: string;
  readonly to: string;
  readonly port?: number;
  readonly protocol?: Flow['protocol'];
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
--to svc/<namespace>/<name> is a connection addressed to a Service (its ClusterIP and a Service
port): decided for each endpoint pod, hop by hop (the CNI, the waypoint the Service is bound to,
ztunnel or sidecar at the pod), each with the rule that decided there.
--to dns:<name>[@<ip>] is an address the source looked the name up by (what Cilium toFQDNs rules
decide on); without @<ip>, an address outside every CIDR the policies name.
With --port, the verdict on that one flow and the rules that decided it. Without --port, the exact
set of connections between the two endpoints, and the deciding rules for each part of it (one flow
per set of ports no rule tells apart). --method and --path describe an HTTP request for L7 rules
(--method defaults to GET, --path to /). Exit code 0 whatever the verdict, unless --expect says
otherwise (then 1 when it differs).

Examples:
  $ cdk8s-zero-trust explain --cluster cluster.yaml --policies policies.yaml \\
      --from production/frontend --to production/backend-api --port 8080 --protocol TCP
  $ cdk8s-zero-trust explain ... --from production/frontend --to production/backend-api
  $ cdk8s-zero-trust explain ... --from production/backend-api --to 203.0.113.7 --port 443 --expect denied
  $ cdk8s-zero-trust explain ... --from production/frontend --to svc/production/backend-api --port 8080 --method GET --path /api/v1/products
  $ cdk8s-zero-trust explain ... --from production/frontend --to dns:api.example.com --port 443`;

/** `explain`: the verdict on one flow (or every connection between two endpoints) and the rules that decided it. */
export function explainCommand(context: CommandContext): Command {
  const command = new Command('explain')
    .description('decide a flow (or every connection between two endpoints) and show the policies and rules that allowed or denied it')
    .requiredOption('--cluster <file>', 'Namespaces and Pods as YAML (multi-document or kind: List)')
    .requiredOption('--policies <files...>', 'policy manifests, YAML or JSON')
    .requiredOption('--from <endpoint>', 'source: <namespace>/<pod> or an IP address')
    .requiredOption('--to <endpoint>', 'destination: <namespace>/<pod>, an IP address, svc/<namespace>/<name> for a Service, or dns:<name>[@<ip>] for an address reached by DNS name');
  const extra = [
    ...portOptions(false),
    new Option('--method <method>', 'HTTP method of the request, case-sensitive as the proxies compare it (for L7 rules; needs --port; default GET with --path)'),
    new Option('--path <path>', 'HTTP path of the request, query string included (for L7 rules; needs --port)'),
    new Option('--mtls', 'the client presents a mesh certificate (Istio identity rules match only then; needs --port)'),
    choiceOption('--ip-family <family>', 'address family of a pod-to-pod flow (default: each family both pods have; needs --port)', ['IPv4', 'IPv6']),
    choiceOption('--format <format>', 'output format', ['text', 'json'], 'text'),
    choiceOption('--expect <verdict>', 'exit 1 unless the verdict is this (for CI checks; needs --port)', ['allowed', 'denied']),
    ...policyReadingOptions(),
    ...evaluatorOptions(),
  ];
  extra.forEach((option) => command.addOption(option));
  return command
    .addHelpText('after', HELP_AFTER)
    .action((flags: ExplainFlags) => {
      if (flags.port === undefined) {
        const needsPort = (['method', 'path', 'mtls', 'ipFamily', 'expect'] as const).find((name) => flags[name] !== undefined);
        if (needsPort !== undefined) {
          throw new CliError(`--${needsPort.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} is about one flow: pass --port (and --protocol) too`);
        }
      }
      const cluster = readCluster(context.io, flags.cluster, flags);
      const policies = readPolicies(context.io, flags.policies, { ...flags, cluster });
      const analyzer = new ReachabilityAnalyzer(cluster, policies, toEvaluatorOptions(flags));
      const source = parseFlowEndpoint(flags.from);
      const notes = analysisNotes(cluster);
      if (flags.to.startsWith(SERVICE_PREFIX)) {
        explainService(context, analyzer, source, flags, notes);
        return;
      }
      let destination = parseFlowEndpoint(flags.to);
      if (flags.to.startsWith(DNS_PREFIX)) {
        const resolved = dnsDestination(analyzer, flags.to);
        destination = resolved.endpoint;
        notes.push(...resolved.notes);
      }
      if (flags.port === undefined) {
        explainConnections(context, analyzer, policies, source, destination, flags.format, notes);
        return;
      }
      const http = flags.method !== undefined || flags.path !== undefined
        ? { method: flags.method ?? 'GET', path: flags.path ?? '/' }
        : undefined;
      const flow: Flow = {
        source,
        destination,
        port: flags.port,
        protocol: flags.protocol ?? 'TCP',
        ...(flags.ipFamily ? { ipFamily: flags.ipFamily } : {}),
        ...(http ? { http } : {}),
        ...(flags.mtls ? { mesh: { mtls: true } } : {}),
      };
      const verdict = analyzer.evaluate(flow);
      if (flags.format === 'json') {
        // The Verdict object is the document; what was assumed is on stderr already (readCluster).
        context.io.stdout(`${JSON.stringify(verdict, null, 2)}\n`);
      } else {
        context.io.stdout(renderVerdictText(verdict, policies, notes));
      }
      if (flags.expect !== undefined && (flags.expect === 'allowed') !== verdict.allowed) {
        context.io.stderr(`expected the flow to be ${flags.expect}, but it is ${verdict.allowed ? 'allowed' : 'denied'}\n`);
        context.exitCode = EXIT_FINDINGS;
      }
    });
}

/** The `--to` prefix of a destination reached by DNS name: `dns:<name>` or `dns:<name>@<ip>`. */
const DNS_PREFIX = 'dns:';

/**
 * `--to dns:<name>[@<ip>]`: the address the name resolved to, reached by that name (what toFQDNs
 * rules decide on). Without `@<ip>` the address is one outside every CIDR the policies name (the
 * representative of the IPv4 class 0.0.0.0/0), said in a note.
 */
function dnsDestination(analyzer: ReachabilityAnalyzer, text: string): { endpoint: FlowEndpoint; notes: string[] } {
  const [name, ip, ...rest] = text.slice(DNS_PREFIX.length).split('@');
  if (!name || rest.length > 0 || ip === '') {
    throw new CliError(`--to ${text}: expected dns:<name> or dns:<name>@<ip>, e.g. dns:api.example.com or dns:api.example.com@203.0.113.7`);
  }
  const notes = [DNS_NAME_NOTE];
  if (ip !== undefined) {
    return { endpoint: dnsEndpoint(name, ip), notes };
  }
  const root = analyzer.universe().external.classes.find((c) => c.cidr.text === '0.0.0.0/0');
  if (!root) {
    throw new CliError(`--to ${text}: the policies' CIDRs cover every IPv4 address, so no address stands for "any address of the name": give one, dns:${name}@<ip>`);
  }
  notes.push(`the address of ${name} is taken as ${root.representative.text}, outside every CIDR the policies name; `
    + `an address a CIDR rule names may be decided otherwise: ask with --to dns:${name}@<ip>`);
  return { endpoint: dnsEndpoint(name, root.representative.text), notes };
}

/** The `--to` prefix of a Service destination: `svc/<namespace>/<name>`. */
const SERVICE_PREFIX = 'svc/';

/**
 * `explain --to svc/<ns>/<name>`: with --port, the connection addressed to the Service decided hop
 * by hop for each endpoint pod (CNI, waypoint, ztunnel or sidecar, with the deciding rule of each);
 * without, the exact set per endpoint pod.
 */
function explainService(
  context: CommandContext, analyzer: ReachabilityAnalyzer, source: FlowEndpoint, flags: ExplainFlags, notes: readonly string[],
): void {
  const [namespace, name, ...rest] = flags.to.slice(SERVICE_PREFIX.length).split('/');
  if (!namespace || !name || rest.length > 0) {
    throw new CliError(`--to ${flags.to}: expected svc/<namespace>/<name> for a Service`);
  }
  const service = analyzer.service(namespace, name);
  if (flags.ipFamily !== undefined || flags.mtls) {
    throw new CliError(`--${flags.mtls ? 'mtls' : 'ip-family'} is about a pod-to-pod flow: a connection to a Service takes its family and mTLS from the cluster model`);
  }
  if (flags.port === undefined) {
    if (source.kind !== 'pod') {
      throw new CliError(`--from ${flags.from}: the connections to a Service are computed from a pod of the cluster file (<namespace>/<pod>)`);
    }
    const pod = analyzer.cluster.findPod(source.namespace, source.name);
    if (!pod) {
      throw new CliError(`--from ${flags.from}: unknown pod ${source.namespace}/${source.name} (not in the cluster file)`);
    }
    const result = analyzer.serviceConnections(pod, service);
    const label = `svc ${namespace}/${name}`;
    if (flags.format === 'json') {
      context.io.stdout(`${JSON.stringify({
        source: `pod ${flags.from}`,
        destination: label,
        waypoint: result.waypoint ?? null,
        connections: result.every,
        some: result.some,
        endpoints: result.endpoints.map((endpoint) => ({ pod: `${endpoint.pod.namespace}/${endpoint.pod.name}`, connections: endpoint.connections })),
        notes,
      }, null, 2)}\n`);
      return;
    }
    const lines = [`pod ${flags.from} -> ${label}${result.waypoint ? ` (through waypoint ${result.waypoint})` : ''}: `
      + `${result.every.isEmpty() ? 'no connection allowed by every endpoint pod' : `${result.every.format()} allowed by every endpoint pod`}`];
    notes.forEach((note) => lines.push(`  note: ${note}`));
    if (result.endpoints.length === 0) lines.push('  the Service has no endpoint pod (no running pod matches its selector, or it has no selector)');
    result.endpoints.forEach((endpoint) => lines.push(`  via endpoint pod ${endpoint.pod.namespace}/${endpoint.pod.name}: ${endpoint.connections.isEmpty() ? 'nothing' : endpoint.connections.format()}`));
    lines.push('', 'pass --port (and --method, --path) for the hops of one connection and the rule that decided at each');
    context.io.stdout(`${lines.map(escapeText).join('\n')}\n`);
    return;
  }
  const http = flags.method !== undefined || flags.path !== undefined
    ? { method: flags.method ?? 'GET', path: flags.path ?? '/' }
    : undefined;
  const verdict = analyzer.evaluateService(source, namespace, name, flags.port, flags.protocol ?? 'TCP', http);
  if (flags.format === 'json') {
    context.io.stdout(`${JSON.stringify(verdict, null, 2)}\n`);
  } else {
    const lines = [...verdict.explanation.split('\n'), ...notes.map((note) => `  note: ${note}`)];
    context.io.stdout(`${lines.map((line) => escapeText(line)).join('\n')}\n`);
  }
  if (flags.expect !== undefined && (flags.expect === 'allowed') !== verdict.allowed) {
    context.io.stderr(`expected the connection to be ${flags.expect}, but it is ${verdict.allowed ? 'allowed' : verdict.allowedBySome ? 'allowed by some endpoint pods only' : 'denied'}\n`);
    context.exitCode = EXIT_FINDINGS;
  }
}

/** One part of the connections between two endpoints, decided alike (the same steps, the same rules). */
interface Decision {
  readonly connections: ConnectionSet;
  readonly allowed: boolean;
  readonly verdict: Verdict;
}

/** Without --port: the exact set between the endpoints, then the verdict of one flow per part decided alike. */
function explainConnections(
  context: CommandContext, analyzer: ReachabilityAnalyzer, policies: readonly AnalysisPolicy[],
  source: FlowEndpoint, destination: FlowEndpoint, format: 'text' | 'json', notes: readonly string[],
): void {
  context.io.stdout(renderConnections(analyzer, policies, source, destination, format, notes));
}

/** `explain` without --port, as the text or JSON it prints. */
export function renderConnections(
  analyzer: ReachabilityAnalyzer, policies: readonly AnalysisPolicy[],
  source: FlowEndpoint, destination: FlowEndpoint, format: 'text' | 'json', notes: readonly string[],
): string {
  const connections = analyzer.connections(source, destination);
  const space = connections.space;
  const groups = new Map<string, { atoms: number[]; verdict: Verdict }>();
  space.atoms.forEach((_, index) => {
    const example = space.exampleOf(index);
    const verdict = analyzer.evaluate({ source, destination, ...example });
    if (verdict.allowed !== connections.hasAtom(index)) {
      throw new Error(`explain: the exact set and the verdict on ${describeExample(example)} disagree (a bug; please report it)`);
    }
    const key = JSON.stringify([verdict.allowed, verdict.exemption, verdict.noNetwork, verdict.ipFamily,
      verdict.steps.map((step) => [step.layer, step.direction, step.allowed, step.decidedBy, step.allowedBy, step.deniedBy, step.isolatedBy])]);
    const known = groups.get(key);
    if (known) {
      known.atoms.push(index);
    } else {
      groups.set(key, { atoms: [index], verdict });
    }
  });
  const decisions: Decision[] = [...groups.values()]
    .map((group) => ({ connections: space.fromAtoms(group.atoms), allowed: group.verdict.allowed, verdict: group.verdict }))
    .sort((a, b) => Number(b.allowed) - Number(a.allowed));
  const [first] = decisions;
  const from = first.verdict.source;
  const to = first.verdict.destination;
  if (format === 'json') {
    return `${JSON.stringify({ source: from, destination: to, connections, notes, decisions }, null, 2)}\n`;
  }
  const lines = [`${from} -> ${to}: ${connections.isEmpty() ? 'no connection allowed' : `${connections.format()} allowed`}`];
  notes.forEach((note) => lines.push(`  note: ${note}`));
  for (const decision of decisions) {
    const example = space.exampleOf(decision.connections.atoms()[0]);
    lines.push('', `${decision.allowed ? 'ALLOWED' : 'DENIED'} ${decision.connections.format()} (read from the flow on ${describeExample(example)}):`);
    lines.push(...decision.verdict.explanation.split('\n').slice(1), ...intentLines(decision.verdict, policies));
  }
  return `${lines.map(escapeText).join('\n')}${policyLocations(decisions.map((d) => d.verdict), policies)}\n`;
}

/** `TCP 8080`, or `TCP 8080 GET /api/v1/` for a flow carrying a request. */
function describeExample(example: { protocol: string; port: number; http?: { method: string; path: string; host?: string } }): string {
  const http = example.http ? ` ${example.http.method} ${example.http.path}${example.http.host === undefined ? '' : ` host ${example.http.host}`}` : '';
  return `${example.protocol} ${example.port}${http}`;
}

/** The verdict's explanation, the intents behind it, then where each policy it names is written. Names are escaped for the terminal. */
export function renderVerdictText(verdict: Verdict, policies: readonly AnalysisPolicy[], notes: readonly string[] = []): string {
  const lines = [...verdict.explanation.split('\n'), ...intentLines(verdict, policies), ...notes.map((note) => `  note: ${note}`)];
  return `${lines.map((line) => escapeText(line)).join('\n')}${policyLocations([verdict], policies)}\n`;
}

const locations = new WeakMap<readonly AnalysisPolicy[], Map<string, { order: number; location: string }>>();

/** Where each policy of a set is written, by its reference, in input order (computed once per set). */
function locationsOf(policies: readonly AnalysisPolicy[]): Map<string, { order: number; location: string }> {
  let map = locations.get(policies);
  if (!map) {
    map = new Map();
    policies.forEach((policy, order) => {
      const ref = formatPolicyRef(policy.ref);
      if (policy.source && !map!.has(ref)) {
        map!.set(ref, { order, location: formatSourceLocation(policy.source) });
      }
    });
    locations.set(policies, map);
  }
  return map;
}

/** `\n\npolicies:\n  <ref>  <file, document>` for every policy the verdicts name, or nothing. */
function policyLocations(verdicts: readonly Verdict[], policies: readonly AnalysisPolicy[]): string {
  const known = locationsOf(policies);
  const named = [...new Set(verdicts.flatMap((verdict) => verdict.steps.flatMap((step) => step.selectedBy)))]
    .flatMap((ref) => { const entry = known.get(ref); return entry ? [{ ref, ...entry }] : []; })
    .sort((a, b) => a.order - b.order);
  const where = new Map(named.map((entry) => [entry.ref, entry.location]));
  if (where.size === 0) {
    return '';
  }
  const width = Math.max(...[...where.keys()].map((ref) => ref.length));
  const lines = ['', '', 'policies:', ...[...where].map(([ref, location]) => `  ${ref.padEnd(width)}  ${location}`)];
  return lines.map(escapeText).join('\n');
}
