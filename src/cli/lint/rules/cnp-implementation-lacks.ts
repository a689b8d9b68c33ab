import { KIND, LintObject } from '../lint-object';
import { LintContext, LintViolation } from '../lint-rule';
import { rulesOf } from '../network-policy-api-policy';

/**
 * A field the chosen implementation (`--implementation`) ignores or replaces: it accepts the object and
 * drops the rule (Accept) or turns it into "deny all" (Deny, Pass), logging at most a line — the rows of
 * each implementation's profile, with its sources (docs/dialects/kubernetes.md).
 */
export function cnpImplementationLacks(object: LintObject, context: LintContext): LintViolation[] {
  const policy = object.networkPolicyApi;
  const p = context.implementation;
  if (!policy || !p) return [];
  const out: LintViolation[] = [];
  const lacks = (path: string, what: string) => out.push({
    path,
    message: `${p.name} does not implement ${what} (${p.source}): it ignores the rule or replaces it with "deny all", so the cluster does not enforce what the policy says`,
    fix: `rewrite the rule with what ${p.name} implements, or run an implementation that has ${what}`,
  });
  if (object.key === KIND.clusterNetworkPolicy && p.apiVersions.length === 0) {
    lacks('apiVersion', 'ClusterNetworkPolicy (it implements AdminNetworkPolicy / BaselineAdminNetworkPolicy v1alpha1)');
    return out;
  }
  if (policy.priority !== undefined && (policy.priority < p.minPriority || policy.priority > p.maxPriority)) {
    lacks('spec.priority', `priority ${policy.priority} (it accepts ${p.minPriority}-${p.maxPriority})`);
  }
  if (policy.tier === 'Baseline' && !p.baselineTier) lacks('spec.tier', 'the Baseline tier');
  if (policy.tier === 'Admin' && !p.adminTier) lacks('spec.tier', 'the Admin tier');
  for (const r of rulesOf(policy)) {
    if (r.rule.action === 'Pass' && !p.pass) lacks(`${r.path}.action`, 'the Pass action');
    const peerField = r.direction === 'ingress' ? 'from' : 'to';
    r.rule.peers.forEach((peer, j) => {
      const at = `${r.path}.${peerField}[${j}].${peer.kind}`;
      if (peer.kind === 'networks' && !p.networks) lacks(at, 'networks peers');
      if (peer.kind === 'nodes' && !p.nodes) lacks(at, 'nodes peers');
      if (peer.kind === 'domainNames' && !p.domainNames) lacks(at, 'domainNames peers');
    });
    const portField = object.key === KIND.clusterNetworkPolicy ? 'protocols' : 'ports';
    (r.rule.ports ?? []).forEach((port, j) => {
      const at = `${r.path}.${portField}[${j}]`;
      if (port.kind === 'named' && !p.namedPorts) lacks(at, 'named ports');
      if (port.kind === 'number' && port.endPort !== undefined && !p.portRanges) lacks(at, 'port ranges');
    });
  }
  return out;
}
