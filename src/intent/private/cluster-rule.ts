import { IConstruct } from 'constructs';
import { resolveExceptNamespaces } from './cluster-scope';
import { resolveStage } from './intent-scope';
import { checkPropsObject } from './props';
import { PolicyCompiler } from '../../engine/compiler';
import {
  ClusterActionModel, ClusterRuleStatement, ClusterSubjectModel, labelSelector, LabelSelectorModel, PeerModel, peerToString, portToString,
} from '../../model';
import { InputProblem, throwIfProblems } from '../../validation/input-error';
import { checkLabels } from '../../validation/validators';
import { ClusterRuleProps } from '../cluster-rule-props';
import { LabelExpression } from '../label-expression';
import { Peer } from '../peer';
import { PolicyDirection } from '../policy-direction';
import { Port } from '../port';

/** The lowest and highest admin priority (network-policy-api `ClusterNetworkPolicySpec.priority`: 0-1000). */
export const MIN_PRIORITY = 0;
export const MAX_PRIORITY = 1000;

/** Peers never resolve to this namespace; a pod peer that does named none (a cluster-wide rule has no namespace of its own). */
const NO_NAMESPACE = '';

/** Every prop of ClusterRuleProps, for the unknown-prop check. */
const CLUSTER_RULE_PROPS = ['priority', 'direction', 'peers', 'ports', 'exceptNamespaces', 'namespaceLabels', 'namespaceExpressions', 'podLabels', 'podExpressions', 'stage'];

/** A validated admin priority (an integer 0-1000). */
export function checkPriority(what: string, v: unknown): InputProblem[] {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < MIN_PRIORITY || v > MAX_PRIORITY) {
    return [{
      what,
      value: v,
      expected: `an integer from ${MIN_PRIORITY} to ${MAX_PRIORITY} (lower numbers match first)`,
      fix: 'choose where the rule stands among the cluster-wide rules, e.g. 10 for a guardrail that must win over later exceptions',
    }];
  }
  return [];
}

/**
 * Validates the props of a cluster-wide admin rule (whatever types an untyped
 * caller passed) and registers its statement; throws one PolicyInputError
 * listing every problem, prefixed with the construct path.
 */
export function registerClusterRule(construct: IConstruct, intent: string, action: ClusterActionModel,
  props: ClusterRuleProps): ClusterRuleStatement {
  const problems: InputProblem[] = [];
  if (props === undefined || props === null || typeof props !== 'object' || Array.isArray(props)) {
    throwIfProblems(construct.node.path, [{ what: 'props', value: props, expected: 'an object with priority, direction, peers and ports', fix: 'pass e.g. { priority: 10, direction: PolicyDirection.EGRESS, peers: [Peer.cidr(\'169.254.169.254/32\')], ports: [Port.allTraffic()] }' }]);
  }
  // Unknown keys (a misspelt podLabels would widen the subject to every pod) are problems too.
  checkPropsObject(props, CLUSTER_RULE_PROPS, problems, true);
  problems.push(...checkPriority('priority', props.priority));
  const direction = props.direction;
  if (direction !== PolicyDirection.INGRESS && direction !== PolicyDirection.EGRESS) {
    problems.push({ what: 'direction', value: direction, expected: 'PolicyDirection.INGRESS or PolicyDirection.EGRESS', fix: 'use the PolicyDirection enum; write one rule per direction' });
  }
  const peers = listOf<Peer>(props.peers, Peer, 'peers', 'a list with at least one Peer', 'say [Peer.anyone()] to mean everyone', problems);
  const ports = listOf<Port>(props.ports, Port, 'ports', 'a list with at least one Port', 'say [Port.allTraffic()] to mean every port of every protocol', problems);
  const subject = clusterSubject(props, problems);
  const stage = resolveStage(props.stage, problems);
  const resolved: PeerModel[] = [];
  for (const p of peers) {
    problems.push(...p._problems);
    if (p._problems.length) continue;
    const model = p._resolve(NO_NAMESPACE);
    if (model.kind === 'pods' && model.namespaces.kind === 'name' && model.namespaces.name === NO_NAMESPACE) {
      problems.push({
        what: 'peer',
        value: p.toString(),
        expected: 'pods of a named namespace, of namespaces chosen by labels, or of every namespace',
        fix: 'a cluster-wide rule has no namespace of its own: give the Workload a namespace, or use Peer.namespace(), Peer.pods({ namespaceLabels }) or Peer.pods({ allNamespaces: true })',
      });
      continue;
    }
    resolved.push(model);
  }
  ports.forEach(p => problems.push(...p._problems));
  throwIfProblems(construct.node.path, problems);

  const statement: ClusterRuleStatement = {
    kind: 'cluster-rule',
    origin: PolicyCompiler.origin(construct, intent),
    stage,
    action,
    priority: props.priority,
    subject,
    direction: direction as string as ClusterRuleStatement['direction'],
    peers: uniqueBy(resolved, peerToString),
    ports: uniqueBy(ports.map(p => p._model), portToString),
  };
  PolicyCompiler.of(construct).register(construct, [statement]);
  return statement;
}

function clusterSubject(props: ClusterRuleProps, problems: InputProblem[]): ClusterSubjectModel {
  const exceptNamespaces = resolveExceptNamespaces(props.exceptNamespaces, problems);
  const namespaceSelector = selector('namespaceLabels', props.namespaceLabels, 'namespaceExpressions', props.namespaceExpressions, problems);
  const pods = selector('podLabels', props.podLabels, 'podExpressions', props.podExpressions, problems);
  const namespaces = Object.keys(namespaceSelector.matchLabels).length || namespaceSelector.matchExpressions.length ? namespaceSelector : undefined;
  return Object.freeze({ exceptNamespaces: Object.freeze(exceptNamespaces), ...(namespaces ? { namespaces } : {}), pods });
}

function selector(labelsWhat: string, labels: unknown, exprWhat: string, exprs: unknown, problems: InputProblem[]): LabelSelectorModel {
  const given = labels ?? {};
  const labelProblems = checkLabels(labelsWhat, given);
  problems.push(...labelProblems);
  const expressions = listOf<LabelExpression>(exprs ?? [], LabelExpression, exprWhat, 'a list of LabelExpression',
    'build them with LabelExpression.isIn() and friends', problems, true);
  expressions.forEach(e => problems.push(...e._problems));
  const valid = expressions.filter(e => e._problems.length === 0).map(e => e._model);
  return labelSelector(labelProblems.length ? {} : given as Record<string, string>, valid);
}

/** The items of a list prop that are instances of `type`; every other value is a problem. */
function listOf<T>(v: unknown, type: { readonly prototype: T; readonly name: string }, what: string, expected: string, fix: string,
  problems: InputProblem[], mayBeEmpty = false): T[] {
  if (!Array.isArray(v) || (!mayBeEmpty && v.length === 0)) {
    problems.push({ what, value: v, expected, fix });
    return [];
  }
  const out: T[] = [];
  v.forEach((item, i) => {
    if (item instanceof (type as unknown as new () => T)) out.push(item);
    else problems.push({ what: `${what}[${i}]`, value: item, expected: `a ${type.name} (from its static factories)`, fix });
  });
  return out;
}

function uniqueBy<T>(xs: T[], key: (x: T) => string): T[] {
  const m = new Map<string, T>();
  xs.forEach(x => m.set(key(x), x));
  return [...m.values()];
}
