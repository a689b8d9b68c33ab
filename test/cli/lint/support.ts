import { ClusterModel, CnpImplementationProfile } from '../../../src/analysis';
import { LintFinding } from '../../../src/cli/lint/lint-rule';
import { loadLintObjects } from '../../../src/cli/lint/load-lint-objects';
import { runLint } from '../../../src/cli/lint/run-lint';
import { ZERO_TRUST_PACK } from '../../../src/cli/lint/zero-trust-pack';

/** A manifest as plain data. */
export type Manifest = Record<string, unknown>;

/** A Kubernetes NetworkPolicy in namespace `prod` (or the given one). */
export function np(name: string, spec: Manifest, namespace = 'prod'): Manifest {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

/** A CiliumNetworkPolicy in namespace `prod`. */
export function cnp(name: string, spec: Manifest | undefined, extra: Manifest = {}, namespace = 'prod'): Manifest {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, ...(spec ? { spec } : {}), ...extra };
}

/** A CiliumClusterwideNetworkPolicy. */
export function ccnp(name: string, spec: Manifest): Manifest {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec };
}

/** A Calico policy of a kind (`NetworkPolicy` in `prod`, or a global kind). */
export function calico(kind: string, name: string, spec: Manifest): Manifest {
  const global = kind.includes('Global');
  return { apiVersion: 'projectcalico.org/v3', kind, metadata: global ? { name } : { name, namespace: 'prod' }, spec };
}

/** An Istio AuthorizationPolicy in `prod` (or the given namespace). */
export function ap(name: string, spec: Manifest, namespace = 'prod'): Manifest {
  return { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace }, spec };
}

/** An Istio PeerAuthentication in `prod` (or the given namespace). */
export function pa(name: string, spec: Manifest, namespace = 'prod'): Manifest {
  return { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace }, spec };
}

/** What a lint run may be given besides the manifests. */
export interface LintOptions {
  readonly ruleId?: string;
  readonly cluster?: ClusterModel;
  readonly implementation?: CnpImplementationProfile;
}

/** Lints manifests (read like a file: a JSON `kind: List`) with one rule of the pack, or all of them. */
export function lint(manifests: readonly Manifest[], options: LintOptions = {}): LintFinding[] {
  const pack = options.ruleId ? ZERO_TRUST_PACK.filter((rule) => rule.id === options.ruleId) : ZERO_TRUST_PACK;
  if (pack.length === 0) {
    throw new Error(`no rule ${options.ruleId} in the pack`);
  }
  const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifests });
  const { objects } = loadLintObjects([{ file: 'policies.json', text }]);
  const { cluster, implementation } = options;
  return runLint(pack, objects, { ...(cluster ? { cluster } : {}), ...(implementation ? { implementation } : {}) });
}

/** One case: a description, the manifests, and the paths of the findings expected (`[]` = compliant). */
export type RuleCase = readonly [description: string, manifests: readonly Manifest[], expected: readonly string[]];

/**
 * Table test of one rule: the non-compliant cases must yield exactly the expected findings (by
 * object name and field path), each with the pack's severity, a message and a fix; the compliant
 * ones none.
 */
export function ruleTable(
  ruleId: string,
  cases: { nonCompliant: readonly RuleCase[]; compliant: readonly RuleCase[] } & Omit<LintOptions, 'ruleId'>,
): void {
  const rule = ZERO_TRUST_PACK.find((candidate) => candidate.id === ruleId);
  describe(`${ruleId} (${rule?.severity})`, () => {
    test.each(cases.nonCompliant.map((c, i) => [i + 1, ...c] as const))('non-compliant %i: %s', (_i, _description, manifests, expected) => {
      const findings = lint(manifests, { ruleId, cluster: cases.cluster, implementation: cases.implementation });
      expect(findings.map((finding) => `${finding.object.name}: ${finding.path}`)).toEqual(expected);
      for (const finding of findings) {
        expect(finding.severity).toBe(rule?.severity);
        expect(finding.message.length).toBeGreaterThan(20);
        expect(finding.fix.length).toBeGreaterThan(10);
      }
    });
    test.each(cases.compliant.map((c, i) => [i + 1, ...c] as const))('compliant %i: %s', (_i, _description, manifests, expected) => {
      expect(lint(manifests, { ruleId, cluster: cases.cluster, implementation: cases.implementation })).toEqual(expected);
    });
  });
}

/** A ClusterNetworkPolicy (v1alpha2). */
export function clusterNetworkPolicy(name: string, spec: Manifest): Manifest {
  return { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name }, spec };
}
