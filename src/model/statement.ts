import { HttpRuleModel, httpRuleToString } from './http-rule';
import { PeerModel, peerToString } from './peer';
import { PodSetModel, podSetToString } from './pod-set';
import { PortModel, portToString } from './port';

/** Traffic direction, seen from the subject pods. */
export type DirectionModel = 'ingress' | 'egress';

/** Where a statement came from: for object names, messages and "which rule decided". */
export interface OriginModel {
  /** Full construct path of the intent construct. */
  readonly path: string;
  /** Short, readable base for object names: derived from the construct path below the chart. */
  readonly baseName: string;
  /** The intent construct type, e.g. `AllowFrom`. */
  readonly intent: string;
}

/**
 * Whether a statement is enforced, or only observed (Calico staged policies,
 * Istio dry-run): an `audit` statement allows and denies nothing.
 */
export type StageModel = 'enforce' | 'audit';

/** Makes the subject pods default-deny in the given directions. */
export interface IsolateStatement {
  readonly kind: 'isolate';
  readonly origin: OriginModel;
  readonly stage: StageModel;
  readonly subject: PodSetModel;
  readonly directions: readonly DirectionModel[];
}

/** What an allow statement is for; dialects may render some purposes specially (e.g. DNS). */
export type AllowPurpose = 'traffic' | 'dns' | 'cidr' | 'fqdn';

/**
 * Allows connections between the subject pods and the peers on the ports.
 *
 * An `isolating` allow also makes the subject default-deny in its direction, as
 * every engine does for a policy that selects a pod. A non-isolating allow (the
 * source half of `AllowFrom`) only applies to subject pods that something else
 * already isolates: it exists so that a flow the intent allows is not blocked
 * by the source's own egress isolation.
 */
export interface AllowStatement {
  readonly kind: 'allow';
  readonly origin: OriginModel;
  readonly stage: StageModel;
  readonly direction: DirectionModel;
  readonly subject: PodSetModel;
  readonly peers: readonly PeerModel[];
  readonly ports: readonly PortModel[];
  readonly isolating: boolean;
  readonly purpose: AllowPurpose;
  /**
   * L7: only these HTTP requests (OR across rules) on the allowed ports.
   * Undefined = no L7 restriction. Only on ingress statements.
   */
  readonly http?: readonly HttpRuleModel[];
}

/** One unit of intent in the neutral model. */
export type Statement = IsolateStatement | AllowStatement;

/** Readable one-line description of a statement. */
export function statementToString(s: Statement): string {
  if (s.kind === 'isolate') return `deny all ${s.directions.join('+')} of ${podSetToString(s.subject)}${s.stage === 'audit' ? ' (audit only)' : ''}`;
  const arrow = s.direction === 'ingress' ? 'from' : 'to';
  const http = s.http ? ` for HTTP [${s.http.map(httpRuleToString).join(', ')}]` : '';
  const stage = s.stage === 'audit' ? ' (audit only)' : '';
  return `allow ${s.direction} of ${podSetToString(s.subject)} ${arrow} [${s.peers.map(peerToString).join('; ')}] on [${s.ports.map(portToString).join(', ')}]${http}${stage}`;
}
