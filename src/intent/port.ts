import { Protocol } from './protocol';
import { PortModel, portToString } from '../model';
import { InputProblem } from '../validation/input-error';
import { checkPortName, checkPortNumber } from '../validation/validators';

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

/**
 * Ports of an allowance: one port, an inclusive range, a named container port,
 * every port of a protocol, or (spelled out) all traffic.
 *
 * Ports are the pods' own (container / target) ports, not Service ports:
 * every engine matches after the Service has been resolved to a pod.
 *
 * @example
 * Port.tcp(8080); Port.udpRange(30000, 32767); Port.named('metrics');
 */
export class Port {
  /** One TCP port. */
  public static tcp(port: number): Port {
    return Port.single(Protocol.TCP, port, 'Port.tcp()');
  }

  /** One UDP port. */
  public static udp(port: number): Port {
    return Port.single(Protocol.UDP, port, 'Port.udp()');
  }

  /** One SCTP port. */
  public static sctp(port: number): Port {
    return Port.single(Protocol.SCTP, port, 'Port.sctp()');
  }

  /** An inclusive range of TCP ports (`endPort`). */
  public static tcpRange(startPort: number, endPort: number): Port {
    return Port.range(Protocol.TCP, startPort, endPort, 'Port.tcpRange()');
  }

  /** An inclusive range of UDP ports (`endPort`). */
  public static udpRange(startPort: number, endPort: number): Port {
    return Port.range(Protocol.UDP, startPort, endPort, 'Port.udpRange()');
  }

  /** An inclusive range of SCTP ports (`endPort`). */
  public static sctpRange(startPort: number, endPort: number): Port {
    return Port.range(Protocol.SCTP, startPort, endPort, 'Port.sctpRange()');
  }

  /**
   * A named container port, resolved by the engine against each destination
   * pod's declared container ports (so it may mean different numbers on
   * different pods). It never matches a CIDR peer.
   *
   * @param name the container port's `name` (an IANA service name)
   * @param protocol the protocol of that container port
   */
  public static named(name: string, protocol: Protocol = Protocol.TCP): Port {
    const problems: InputProblem[] = [...checkPortName('port name of Port.named()', name), ...checkProtocol(protocol, 'Port.named()')];
    return new Port({ protocol: protocol as any, port: name }, problems);
  }

  /** Every TCP port. */
  public static allTcp(): Port {
    return new Port({ protocol: 'TCP' }, []);
  }

  /** Every UDP port. */
  public static allUdp(): Port {
    return new Port({ protocol: 'UDP' }, []);
  }

  /** Every SCTP port. */
  public static allSctp(): Port {
    return new Port({ protocol: 'SCTP' }, []);
  }

  /**
   * Every port of every protocol, including ICMP: an explicit allow-all.
   * There is no implicit form: an empty port list is an error.
   */
  public static allTraffic(): Port {
    return new Port({ protocol: 'ANY' }, []);
  }

  private static single(protocol: Protocol, port: number, factory: string): Port {
    return new Port({ protocol: protocol as any, port }, [...checkPortNumber(`port of ${factory}`, port), ...checkProtocol(protocol, factory)]);
  }

  private static range(protocol: Protocol, start: number, end: number, factory: string): Port {
    const problems = [...checkPortNumber(`start port of ${factory}`, start), ...checkPortNumber(`end port of ${factory}`, end)];
    if (problems.length === 0 && end < start) {
      problems.push({ what: `port range of ${factory}`, value: `${start}-${end}`, expected: 'an end port greater than or equal to the start port', fix: `write ${factory.replace('()', '')}(${end}, ${start})` });
    }
    if (problems.length === 0 && end === start) {
      return new Port({ protocol: protocol as any, port: start }, []);
    }
    return new Port({ protocol: protocol as any, port: start, endPort: end }, problems);
  }

  /** @internal */
  public readonly _model: PortModel;
  /** @internal */
  public readonly _problems: readonly InputProblem[];

  private constructor(model: PortModel, problems: InputProblem[]) {
    this._model = Object.freeze(model);
    this._problems = problems;
  }

  /** Readable form, e.g. `TCP 8080`, `UDP 30000-32767`, `all TCP ports`. */
  public toString(): string {
    return portToString(this._model);
  }
}

function checkProtocol(p: unknown, factory: string): InputProblem[] {
  if (typeof p !== 'string' || !PROTOCOLS.includes(p)) {
    return [{ what: `protocol of ${factory}`, value: p, expected: 'one of TCP, UDP, SCTP', fix: 'use Protocol.TCP, Protocol.UDP or Protocol.SCTP; other protocols (ICMP) can only be allowed with Port.allTraffic()' }];
  }
  return [];
}
