import { App, Chart, Testing, Yaml } from 'cdk8s';
import { IConstruct } from 'constructs';
import { IstioDialect } from '../../dialects/istio/render';
import { PolicyCompiler } from '../../engine/compiler';
import { Engine } from '../../engine/engine';
import { PolicyObject } from '../../engine/policy-object';
import { AnalysisPolicy } from '../ir/analysis-policy';
import { parsePolicies } from '../parse/parse-policies';
import { translateIntent } from '../translate/intent-model';

/** The charts of an app, or the one chart given. */
function chartsOf(scope: App | Chart): Chart[] {
  return scope instanceof App ? scope.charts : [scope];
}

/**
 * Synthesizes the charts (running every guardrail) and reads the objects back
 * through the same parsers as manifests from anywhere: what the cluster would
 * enforce. Objects that are not policies (Gateways, Deployments…) are skipped.
 * For one chart: its objects, and those rendered for its intents into the
 * charts that own other namespaces (the other sides of its allowances), so
 * that what the chart's intents allow does not depend on where they are filed.
 */
export function synthesizedPolicies(scope: App | Chart): AnalysisPolicy[] {
  const charts = chartsOf(scope);
  const objects = charts.flatMap(c => Testing.synth(c));
  if (!(scope instanceof App)) {
    const inside = (c: IConstruct) => c.node.scopes.includes(scope);
    const filedElsewhere = scope.node.root.node.findAll()
      .filter((c): c is PolicyObject => c instanceof PolicyObject && inside((c as PolicyObject).intent) && !inside(c));
    objects.push(...filedElsewhere.map(o => o.toJson()));
  }
  // Written as `cdk8s synth` writes files (YAML 1.1: `y`, `on`, `0120` quoted), read as kubectl reads them.
  const text = Yaml.stringify(...objects);
  const trustDomain = istioTrustDomain(scope.node.root);
  return parsePolicies({ file: `synthesized ${scope.node.path || 'app'}`, text }, {
    ignoreOtherKinds: true, ...(trustDomain ? { istioTrustDomain: trustDomain } : {}),
  });
}

/**
 * The trust domain the Istio engines of the app write principals in, when they agree on one (one
 * mesh); undefined without Istio or with several (then principals that depend on it fail).
 */
function istioTrustDomain(root: IConstruct): string | undefined {
  const domains = new Set<string>();
  for (const construct of root.node.findAll()) {
    const dialect = Engine.tryOf(construct)?._dialect;
    if (dialect instanceof IstioDialect) domains.add(dialect.trustDomain);
  }
  return domains.size === 1 ? [...domains][0] : undefined;
}

/**
 * The data-plane mode (`sidecar` or `ambient`) of the app's Istio engines, when they agree on one;
 * undefined without Istio or with both.
 */
export function istioDataPlaneMode(scope: IConstruct): 'sidecar' | 'ambient' | undefined {
  const modes = new Set<'sidecar' | 'ambient'>();
  for (const construct of scope.node.root.node.findAll()) {
    const dialect = Engine.tryOf(construct)?._dialect;
    if (dialect instanceof IstioDialect) modes.add(dialect.mode);
  }
  return modes.size === 1 ? [...modes][0] : undefined;
}

/**
 * What the intents of the app containing `scope` mean, engine-independently:
 * the reference that every engine's synthesized policies must equal.
 */
export function intentPolicies(scope: IConstruct): AnalysisPolicy[] {
  return translateIntent(PolicyCompiler.of(scope).statements());
}

/**
 * The waypoint the app's ambient Istio engines render (its Gateway name and the service account its pods run as),
 * when they agree on one; undefined without an ambient Istio engine or with several that differ.
 */
export function istioWaypoint(scope: IConstruct): { readonly name: string; readonly serviceAccount: string } | undefined {
  const found = new Map<string, { name: string; serviceAccount: string }>();
  for (const construct of scope.node.root.node.findAll()) {
    const dialect = Engine.tryOf(construct)?._dialect;
    if (dialect instanceof IstioDialect && dialect.mode === 'ambient') {
      const { waypointName: name, waypointServiceAccount: serviceAccount } = dialect.meshOptions;
      found.set(`${name}|${serviceAccount}`, { name, serviceAccount });
    }
  }
  return found.size === 1 ? [...found.values()][0] : undefined;
}
