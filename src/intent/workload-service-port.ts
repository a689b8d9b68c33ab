import { ServicePortModel } from '../model';
import { InputProblem } from '../validation/input-error';
import { checkPropsObject } from './private/props';

/**
 * One TCP port of the Kubernetes Service a workload names (`WorkloadOptions.service`): the port clients
 * address and the container port it forwards to. Istio ambient needs it: the waypoint's policies match the
 * **Service** port, while ztunnel and the intent's `ports` speak of the container (target) port.
 *
 * @example
 * Workload.select({ app: 'backend-api' }, { service: 'backend-api', servicePorts: [{ port: 80, targetPort: 8080 }] });
 */
export interface WorkloadServicePort {
  /** The Service port (`spec.ports[].port`): what clients connect to, and what a waypoint policy's `ports` match. */
  readonly port: number;
  /**
   * The container port the Service port forwards to (`spec.ports[].targetPort`), as a number: the port the
   * intent's `ports` name.
   * @default - the same as `port`
   */
  readonly targetPort?: number;
}

/** At most this many Service ports per workload (Kubernetes has no limit; a bound keeps the rendered rules small). */
export const MAX_SERVICE_PORTS = 100;

/** The `servicePorts` option as given: problems for anything but a list of distinct, valid ports of a named Service. */
export function checkServicePorts(v: unknown, service: unknown, problems: InputProblem[]): ServicePortModel[] | undefined {
  const what = 'servicePorts of the workload';
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length === 0 || v.length > MAX_SERVICE_PORTS) {
    problems.push({
      what,
      value: v,
      expected: `a list of 1 to ${MAX_SERVICE_PORTS} Service ports ({ port, targetPort })`,
      fix: 'list the ports of the Service as its spec.ports says, e.g. servicePorts: [{ port: 80, targetPort: 8080 }], or leave servicePorts out',
    });
    return undefined;
  }
  if (service === undefined) {
    problems.push({ what, value: v, expected: 'a service alongside it (the Service these are the ports of)', fix: 'name the Service: { service: \'<name>\', servicePorts: [...] }' });
  }
  const out: ServicePortModel[] = [];
  v.forEach((entry, i) => {
    const at = `${what}[${i}]`;
    const found: InputProblem[] = [];
    const o = checkPropsObject(entry, ['port', 'targetPort'], found, true);
    problems.push(...found.map(p => (p.what === 'props' ? { ...p, what: at } : { ...p, what: `${p.what} of ${at}` })));
    if (found.length) return;
    const port = portNumber(`port of ${at}`, o.port, problems);
    const targetPort = o.targetPort === undefined ? port : portNumber(`targetPort of ${at}`, o.targetPort, problems);
    if (port === undefined || targetPort === undefined) return;
    if (out.some(x => x.port === port)) {
      problems.push({ what: `port of ${at}`, value: port, expected: 'each Service port once (Kubernetes rejects a Service that lists a port twice)', fix: 'remove the duplicate entry' });
      return;
    }
    out.push({ port, targetPort });
  });
  return out;
}

function portNumber(what: string, v: unknown, problems: InputProblem[]): number | undefined {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
    problems.push({ what, value: v, expected: 'an integer from 1 to 65535', fix: 'copy the number from the Service\'s spec.ports (a named targetPort: the container port number it names)' });
    return undefined;
  }
  return v;
}
