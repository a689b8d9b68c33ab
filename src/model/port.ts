/** Transport protocols a network policy can name. */
export type ProtocolModel = 'TCP' | 'UDP' | 'SCTP';

/**
 * A port match. `port` undefined = every port of `protocol`; a string is a
 * container-port name; `endPort` makes an inclusive numeric range.
 * `protocol: 'ANY'` = every port of every protocol (incl. ICMP): an explicit allow-all.
 */
export type PortModel =
  | { readonly protocol: ProtocolModel; readonly port?: number | string; readonly endPort?: number }
  | { readonly protocol: 'ANY' };

/** Readable form: `TCP 8080`, `UDP 1000-2000`, `TCP metrics`, `all TCP ports`, `all traffic`. */
export function portToString(p: PortModel): string {
  if (p.protocol === 'ANY') return 'all traffic';
  if (p.port === undefined) return `all ${p.protocol} ports`;
  if (p.endPort !== undefined) return `${p.protocol} ${p.port}-${p.endPort}`;
  return `${p.protocol} ${p.port}`;
}
