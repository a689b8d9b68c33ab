import { HttpRuleModel, httpRuleToString } from './http-rule';
import { MtlsStatement, mtlsStatementToString } from './mtls';
import { OriginModel, StageModel } from './origin';
import { PeerModel, peerToString } from './peer';
import { PodSetModel, podSetToString } from './pod-set';
import { PortModel, portToString } from './port';

/** Traffic direction, seen from the subject pods. */
export type DirectionModel = 'ingress' | 'egress';

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

/**
 * Makes every pod of every namespace except `exceptNamespaces` default-deny in
 * the given directions, including namespaces created later. Only engines with
 * cluster-scoped policies can express it; namespaced engines fail synthesis.
 */
export interface ClusterIsolateStatement {
  readonly kind: 'isolate-cluster';
  readonly origin: OriginModel;
  readonly stage: StageModel;
  /** Namespaces left alone: sorted, de-duplicated, always including the system namespaces. */
  readonly exceptNamespaces: readonly string[];
  readonly directions: readonly DirectionModel[];
}

/**
 * Allows every pod of every namespace except `exceptNamespaces` (present or
 * future) the connections to or from the peers on the ports. Isolating, like
 * an isolating `AllowStatement` in each of those namespaces.
 */
export interface ClusterAllowStatement {
  readonly kind: 'allow-cluster';
  readonly origin: OriginModel;
  readonly stage: StageModel;
  /** Namespaces left alone: sorted, de-duplicated, always including the system namespaces. */
  readonly exceptNamespaces: readonly string[];
  readonly direction: DirectionModel;
  readonly peers: readonly PeerModel[];
  readonly ports: readonly PortModel[];
  readonly purpose: AllowPurpose;
}

/** One unit of intent in the neutral model. */
export type Statement = IsolateStatement | AllowStatement | ClusterIsolateStatement | ClusterAllowStatement | MtlsStatement;

/** Whether a cluster-wide statement covers a namespace. */
export function coversNamespace(s: ClusterIsolateStatement | ClusterAllowStatement, namespace: string): boolean {
  return !s.exceptNamespaces.includes(namespace);
}

/** Readable one-line description of a statement. */
export function statementToString(s: Statement): string {
  const everywhere = (except: readonly string[]) => `every namespace except ${except.join(', ')}`;
  if (s.kind === 'isolate-cluster') return `deny all ${s.directions.join('+')} of ${everywhere(s.exceptNamespaces)}${s.stage === 'audit' ? ' (audit only)' : ''}`;
  if (s.kind === 'allow-cluster') {
    return `allow ${s.direction} of ${everywhere(s.exceptNamespaces)} ${s.direction === 'ingress' ? 'from' : 'to'} [${s.peers.map(peerToString).join('; ')}] on [${s.ports.map(portToString).join(', ')}]${s.stage === 'audit' ? ' (audit only)' : ''}`;
  }
  if (s.kind === 'mtls') return mtlsStatementToString(s);
  if (s.kind === 'isolate') return `deny all ${s.directions.join('+')} of ${podSetToString(s.subject)}${s.stage === 'audit' ? ' (audit only)' : ''}`;
  const arrow = s.direction === 'ingress' ? 'from' : 'to';
  const http = s.http ? ` for HTTP [${s.http.map(httpRuleToString).join(', ')}]` : '';
  const stage = s.stage === 'audit' ? ' (audit only)' : '';
  return `allow ${s.direction} of ${podSetToString(s.subject)} ${arrow} [${s.peers.map(peerToString).join('; ')}] on [${s.ports.map(portToString).join(', ')}]${http}${stage}`;
}
