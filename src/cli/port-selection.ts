import { ConnectionSet, ConnectionSpace, PortRange, Protocol, PROTOCOLS, UniverseScope } from '../analysis';

/** The port flags of reach and diff. */
export interface PortFlags {
  readonly port?: number;
  readonly protocol?: Protocol;
}

/**
 * What `--port` and `--protocol` narrow a question to. They only narrow: without them the answer
 * covers every port of every protocol, exactly; nothing is sampled.
 */
export interface ConnectionFocus {
  /** Port ranges the analysis must keep whole (the `--port`). */
  readonly scope: UniverseScope;
  /** `every connection`, `TCP 8080`, `all UDP`. */
  readonly description: string;
  /** The connections asked about, in a universe built with `scope`. */
  filter(space: ConnectionSpace): ConnectionSet;
}

/** The focus of `--port N [--protocol P]` (protocol default TCP), `--protocol P` alone, or neither. */
export function connectionFocus(flags: PortFlags): ConnectionFocus {
  if (flags.port !== undefined) {
    const range: PortRange = { protocol: flags.protocol ?? 'TCP', from: flags.port, to: flags.port };
    return {
      scope: { ports: [range] },
      description: `${range.protocol} ${range.from}`,
      filter: (space) => space.ports(range.protocol, range.from, range.to),
    };
  }
  if (flags.protocol !== undefined) {
    const protocol = flags.protocol;
    return { scope: {}, description: `all ${protocol}`, filter: (space) => space.ports(protocol) };
  }
  return { scope: {}, description: `every connection (${PROTOCOLS.join(', ')}, ports 1-65535)`, filter: (space) => space.full };
}
