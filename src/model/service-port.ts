/**
 * One TCP port of the Kubernetes Service a pod set names (`PodSetModel.service`): the port clients address
 * (`port`) and the container port it forwards to (`targetPort`), as the user declared them.
 */
export interface ServicePortModel {
  readonly port: number;
  readonly targetPort: number;
}

/** The Service ports that forward to container port `targetPort`. */
export function servicePortsFor(ports: readonly ServicePortModel[], targetPort: number): number[] {
  return ports.filter(p => p.targetPort === targetPort).map(p => p.port);
}
