/**
 * Transport protocols a policy can name. Kubernetes, Cilium and Calico
 * policies all match TCP, UDP and SCTP by port.
 */
export enum Protocol {
  /** Transmission Control Protocol. */
  TCP = 'TCP',
  /** User Datagram Protocol. */
  UDP = 'UDP',
  /** Stream Control Transmission Protocol. */
  SCTP = 'SCTP',
}
