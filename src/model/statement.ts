import { HttpRuleModel, httpRuleToString } from './http-rule';
import { isEverything, LabelSelectorModel, selectorToString } from './label-selector';
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
 * future) the connections to or from the peers on the ports, and isolates
 * those pods in the direction, like an isolating `AllowStatement` in each of
 * those namespaces.
 *
 * The allowance is an admin-tier rule (see `ClusterRuleStatement`) at
 * `priority`: it holds against every namespace's own default deny, because
 * the admin tier decides before namespace statements do, and an admin rule
 * with a lower priority number matches first. The isolation is a namespace-
 * tier isolation (like `ClusterIsolateStatement`).
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
  /** Admin-tier priority of the allowance, 0-1000: lower numbers match first. */
  readonly priority: number;
}

/**
 * The pods a cluster-wide rule applies to, in namespaces present or future:
 * pods matching `pods` in every namespace that matches `namespaces` (every
 * namespace when undefined) and is not in `exceptNamespaces`.
 */
export interface ClusterSubjectModel {
  /** Namespaces left alone: sorted, de-duplicated, always including the system namespaces. */
  readonly exceptNamespaces: readonly string[];
  /** Namespace labels a covered namespace must match; undefined = every namespace. */
  readonly namespaces?: LabelSelectorModel;
  /** Labels of the pods, inside the covered namespaces. */
  readonly pods: LabelSelectorModel;
}

/**
 * What an admin-tier rule does with the connections it matches: `deny` them
 * (no namespace statement can allow them), `allow` them (no namespace
 * statement can deny them: they are allowed whatever isolates the pods), or
 * `delegate` them to the namespaces (later admin rules are skipped; the
 * namespace statements, and cluster-wide isolation, decide as if no admin
 * rule existed).
 */
export type ClusterActionModel = 'deny' | 'allow' | 'delegate';

/**
 * A cluster-wide admin-tier rule: for connections of the subject pods in the
 * direction, with the peers on the ports, the first matching admin rule by
 * ascending `priority` decides (`ClusterActionModel`); when none matches, the
 * namespace statements decide. Admin rules isolate nothing.
 *
 * Two admin rules with the same priority and different actions are a
 * synthesis error: their order would be up to the implementation.
 */
export interface ClusterRuleStatement {
  readonly kind: 'cluster-rule';
  readonly origin: OriginModel;
  readonly stage: StageModel;
  readonly action: ClusterActionModel;
  /** 0-1000: lower numbers match first. */
  readonly priority: number;
  readonly subject: ClusterSubjectModel;
  readonly direction: DirectionModel;
  /** The other end of the connection: one of them must match. */
  readonly peers: readonly PeerModel[];
  /** One of them must match. */
  readonly ports: readonly PortModel[];
}

/** One unit of intent in the neutral model. */
export type Statement = IsolateStatement | AllowStatement | ClusterIsolateStatement | ClusterAllowStatement | ClusterRuleStatement | MtlsStatement;

/** Whether a cluster-wide statement covers a namespace. */
export function coversNamespace(s: ClusterIsolateStatement | ClusterAllowStatement, namespace: string): boolean {
  return !s.exceptNamespaces.includes(namespace);
}

/** The verb of an admin action, for messages: `deny`, `always allow`, `delegate to the namespaces`. */
export function clusterActionToString(a: ClusterActionModel): string {
  return a === 'deny' ? 'deny' : a === 'allow' ? 'always allow' : 'delegate to the namespaces';
}

/** Readable form of a cluster subject, e.g. `pods app=web in namespaces tenant=a except kube-system`. */
export function clusterSubjectToString(s: ClusterSubjectModel): string {
  const pods = isEverything(s.pods) ? 'every pod' : `pods ${selectorToString(s.pods)}`;
  const namespaces = s.namespaces ? `namespaces ${selectorToString(s.namespaces)}` : 'every namespace';
  return `${pods} of ${namespaces} except ${s.exceptNamespaces.join(', ')}`;
}

/** Readable one-line description of a statement. */
export function statementToString(s: Statement): string {
  const everywhere = (except: readonly string[]) => `every namespace except ${except.join(', ')}`;
  if (s.kind === 'isolate-cluster') return `deny all ${s.directions.join('+')} of ${everywhere(s.exceptNamespaces)}${s.stage === 'audit' ? ' (audit only)' : ''}`;
  if (s.kind === 'allow-cluster') {
    return `allow ${s.direction} of ${everywhere(s.exceptNamespaces)} ${s.direction === 'ingress' ? 'from' : 'to'} [${s.peers.map(peerToString).join('; ')}] on [${s.ports.map(portToString).join(', ')}] at admin priority ${s.priority}${s.stage === 'audit' ? ' (audit only)' : ''}`;
  }
  if (s.kind === 'cluster-rule') {
    return `${clusterActionToString(s.action)} ${s.direction} of ${clusterSubjectToString(s.subject)} ${s.direction === 'ingress' ? 'from' : 'to'} [${s.peers.map(peerToString).join('; ')}] on [${s.ports.map(portToString).join(', ')}] at admin priority ${s.priority}${s.stage === 'audit' ? ' (audit only)' : ''}`;
  }
  if (s.kind === 'mtls') return mtlsStatementToString(s);
  if (s.kind === 'isolate') return `deny all ${s.directions.join('+')} of ${podSetToString(s.subject)}${s.stage === 'audit' ? ' (audit only)' : ''}`;
  const arrow = s.direction === 'ingress' ? 'from' : 'to';
  const http = s.http ? ` for HTTP [${s.http.map(httpRuleToString).join(', ')}]` : '';
  const stage = s.stage === 'audit' ? ' (audit only)' : '';
  return `allow ${s.direction} of ${podSetToString(s.subject)} ${arrow} [${s.peers.map(peerToString).join('; ')}] on [${s.ports.map(portToString).join(', ')}]${http}${stage}`;
}
