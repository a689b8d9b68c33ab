import { CliError } from './cli-error';
import { AnalysisPolicy, ClusterModel, Protocol, PROTOCOLS } from '../analysis';

/** A destination port and protocol a matrix is computed for. */
export interface PortProtocol {
  readonly port: number;
  readonly protocol: Protocol;
}

/**
 * The ports worth a matrix when the user gives none: every container port a pod of the cluster
 * declares, and every port number a policy rule names (the first port of a range; a rule with
 * protocol `ANY` names the number for TCP, UDP and SCTP). Named ports resolve to container ports,
 * which are in the list already; rules without ports add nothing of their own. Sorted by protocol
 * (TCP, UDP, SCTP), then number.
 */
export function portsToAnalyze(cluster: ClusterModel, policySets: readonly (readonly AnalysisPolicy[])[]): PortProtocol[] {
  const found = new Map<string, PortProtocol>();
  const add = (port: number, protocol: Protocol) => found.set(`${protocol}/${port}`, { port, protocol });
  for (const pod of cluster.pods) {
    for (const containerPort of pod.ports) {
      add(containerPort.port, containerPort.protocol);
    }
  }
  for (const policy of policySets.flat()) {
    for (const rule of [...policy.ingress?.rules ?? [], ...policy.egress?.rules ?? []]) {
      for (const match of rule.ports ?? []) {
        if (typeof match.port === 'number') {
          const port = match.port;
          (match.protocol === 'ANY' ? PROTOCOLS : [match.protocol]).forEach((protocol) => add(port, protocol));
        }
      }
    }
  }
  const order = (protocol: Protocol) => PROTOCOLS.indexOf(protocol);
  return [...found.values()].sort((a, b) => order(a.protocol) - order(b.protocol) || a.port - b.port);
}

/** `8080/TCP`. */
export function formatPortProtocol(value: PortProtocol): string {
  return `${value.port}/${value.protocol}`;
}

/** The port flags of reach and diff. */
export interface PortFlags {
  readonly port?: number;
  readonly protocol?: Protocol;
}

/**
 * The ports a command analyses: the one given with `--port` (protocol default TCP), or else every
 * port of `portsToAnalyze`, restricted to `--protocol` when given.
 * @throws CliError when there is nothing to analyse
 */
export function selectPorts(flags: PortFlags, cluster: ClusterModel, policySets: readonly (readonly AnalysisPolicy[])[]): PortProtocol[] {
  if (flags.port !== undefined) {
    return [{ port: flags.port, protocol: flags.protocol ?? 'TCP' }];
  }
  const ports = portsToAnalyze(cluster, policySets).filter((entry) => flags.protocol === undefined || entry.protocol === flags.protocol);
  if (ports.length === 0) {
    const protocol = flags.protocol ? ` ${flags.protocol}` : '';
    throw new CliError(`no${protocol} ports to analyse: no pod of the cluster declares a container port and no policy names a port number; pass --port (and --protocol)`);
  }
  return ports;
}
