import { PodSetModel, ServicePortModel, servicePortsFor } from '../../model';

/**
 * The ports of an allowance as the waypoint and the workload's ztunnel see them (ambient, a waypoint-bound Service).
 *
 * The waypoint matches a policy's `ports` (`destination.port`) against the **Service** port: ztunnel opens the
 * HBONE tunnel to the waypoint with the Service VIP and Service port as its `:authority` (istio/ztunnel @ 62d826530e5c
 * `src/proxy/outbound.rs` `build_request`: `hbone_target_destination: Some(HboneAddress::SocketAddr(target))`, and
 * the test `build_request_destination_svc_waypoint`: Service port 80 with target port 8080 is tunnelled as
 * `127.0.0.3:80`); the waypoint's `connect_authority` filter makes that the inner connection's local address
 * (istio/istio @ 86c9f01fd735 `pilot/pkg/xds/filters/filters.go` `OriginalDstFilterStateKey`), its `main_internal`
 * listener picks the filter chain by Service port (`pilot/pkg/networking/core/listener_waypoint.go`
 * `buildWaypointInternal`: `TargetPort: uint32(port.Port)`, the `inbound-vip|<Service port>|…` chains), and the RBAC
 * filter of that chain matches `destination_port` (`pilot/pkg/security/authz/model/generator.go` `destPortGenerator`
 * → `permission.go` `permissionDestinationPort`) against that local address's port, as Envoy's RBAC `PortMatcher`
 * does. The workload's ztunnel then sees the container (target) port the waypoint forwards to.
 */
export interface WaypointPorts {
  /** The waypoint policy's ports: the Service ports that forward to the allowance's ports (`all`: every port). */
  readonly service: 'all' | readonly number[];
  /** The ztunnel (via-waypoint) ports: the allowance's ports some Service port forwards to (`all`: every port). */
  readonly target: 'all' | readonly number[];
  /** The allowance's ports no declared Service port forwards to (no connection through the Service reaches them). */
  readonly unmapped: readonly number[];
}

/**
 * The allowance's TCP ports (`istioPorts`) on the waypoint path of `subject`'s Service, or undefined when they are
 * numbers and the Service's ports were not declared (`WorkloadOptions.servicePorts`): then they cannot be known.
 */
export function waypointPorts(ports: 'all' | readonly number[], subject: PodSetModel): WaypointPorts | undefined {
  if (ports === 'all') return { service: 'all', target: 'all', unmapped: [] };
  const declared: readonly ServicePortModel[] | undefined = subject.servicePorts;
  if (declared === undefined) return undefined;
  const service = new Set<number>();
  const target: number[] = [];
  const unmapped: number[] = [];
  for (const port of ports) {
    const mapped = servicePortsFor(declared, port);
    if (mapped.length === 0) unmapped.push(port);
    else target.push(port);
    mapped.forEach(p => service.add(p));
  }
  return { service: [...service].sort((a, b) => a - b), target, unmapped };
}

/** Whether two declarations of one Service's ports say the same (order aside). */
export function sameServicePorts(a: readonly ServicePortModel[], b: readonly ServicePortModel[]): boolean {
  const key = (x: readonly ServicePortModel[]) => x.map(p => `${p.port}>${p.targetPort}`).sort().join(',');
  return key(a) === key(b);
}

/** `80→8080, 9090` for messages. */
export function servicePortsToString(ports: readonly ServicePortModel[]): string {
  return ports.map(p => (p.port === p.targetPort ? String(p.port) : `${p.port}→${p.targetPort}`)).join(', ');
}
