import { isCalicoPolicy } from './calico-policy';
import { KIND, LintObject } from './lint-object';
import { LintContext } from './lint-rule';
import {
  AnalysisInputError, AnalysisPolicy, ClassSet, ConnectionMap, ConnectionSet, Connectivity, formatRuleRef, IpFamily, ManifestError, NO_REQUEST,
  parsePolicies, podEndpoint, podId, PortRange, ReachabilityAnalyzer, restrictMap, subtractMaps,
} from '../../analysis';

/**
 * Half-open flows: connections one end allows and the other end denies, so they fail although the
 * author wrote an allowance for them — an ingress rule whose sources' egress is isolated and does
 * not allow the flow, or an egress rule whose destinations' ingress is isolated and does not.
 *
 * What is checked, exactly (no sampling), on the exact engine's sets: every ordered pair of
 * distinct pods of the cluster model, every connection (TCP, UDP and SCTP, ports 1–65535) without
 * HTTP and mTLS, in each address family both pods have (a connection is over one family), on the
 * network layer (Kubernetes, Calico and Cilium policies; Istio only authorizes ingress and is not
 * part of it). The analyzer computes, per family, what every destination's ingress admits (the
 * policies' ingress halves alone) and what every source's egress allows (the egress halves alone)
 * as rows of connection sets per pod group; a source isolated for egress and a destination
 * isolated for ingress have a half-open flow on the difference of the two, either way. Each part
 * of it (a connection atom) is explained by `ReachabilityAnalyzer.evaluate` on one flow, which names
 * the rules that allow it on the open side.
 */
export interface HalfOpenResult {
  /** Half-open flows by the object and path of the rule that allows them. */
  readonly byRule: ReadonlyMap<LintObject, ReadonlyMap<string, HalfOpenRule>>;
  /** Why the check could not run, on the object that stopped it (or undefined: the whole run). */
  readonly notChecked?: { readonly object?: LintObject; readonly reason: string };
}

/** The half-open flows one rule allows. */
export interface HalfOpenRule {
  /** `ingress` when the rule allows ingress and the sources' egress denies; `egress` the reverse. */
  readonly side: 'ingress' | 'egress';
  /** How many pod pairs have a half-open flow on some connection. */
  readonly pairCount: number;
  /** The first few, as `pod a/b -> pod c/d on 8080/TCP`. */
  readonly examples: readonly string[];
  /** What denies at the other end (the first example's reason). */
  readonly otherEnd: string;
  /** The pod pairs, as `<ns>/<pod> -> <ns>/<pod>` (listed on demand: there may be many). */
  pairs(): string[];
}

/** Pairs of pod groups with half-open flows the check lists at most; beyond, it says so instead of listing a part. */
export const HALF_OPEN_LIMIT = 2_000_000;
const EXAMPLES = 3;
const FAMILIES: readonly IpFamily[] = ['IPv4', 'IPv6'];

/** The half-open flows of the run (needs the cluster; pass to `perRun`). */
export function halfOpenFlows(context: LintContext): HalfOpenResult {
  const byRule = new Map<LintObject, Map<string, HalfOpenRule>>();
  const cluster = context.cluster;
  const objects = context.objects.filter(isNetworkLayer);
  if (!cluster || objects.length === 0) {
    return { byRule };
  }
  let policies: AnalysisPolicy[];
  try {
    // One JSON List (read with JSON.parse): item i is objects[i].
    const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects.map(withNamespace) });
    policies = parsePolicies({ file: 'lint', text }, { clusterNamespaces: cluster.namespaces });
  } catch (e) {
    if (e instanceof ManifestError) {
      const item = /^items\[(\d+)\]\.?(.*)$/.exec(e.fieldPath);
      const object = item ? objects[Number(item[1])] : undefined;
      const field = item ? item[2] : e.fieldPath;
      return { byRule, notChecked: { object, reason: `the analyzer cannot evaluate this object (${field ? `${field}: ` : ''}${e.problem})` } };
    }
    if (e instanceof AnalysisInputError) {
      return { byRule, notChecked: { reason: e.message } };
    }
    throw e;
  }
  const full = new ReachabilityAnalyzer(cluster, policies);
  const ingressHalves = new ReachabilityAnalyzer(cluster, policies.map((p) => ({ ...p, egress: undefined })));
  const egressHalves = new ReachabilityAnalyzer(cluster, policies.map((p) => ({ ...p, ingress: undefined })));
  const universe = ReachabilityAnalyzer.jointUniverse([full, ingressHalves, egressHalves]);
  const whole = full.connectivity(universe);
  // Rows with the other direction open: what each destination admits, and what each source sends.
  const admitted = ingressHalves.connectivity(universe);
  const sent = egressHalves.connectivity(universe);
  const groups = universe.grouping.groups;
  const ingressIsolated = universe.sets.of(groups.filter((group) => whole.isolated(group.index, 'ingress')).map((group) => group.index));
  const parts: HalfOpenPart[] = [];
  let groupPairs = 0;
  for (const family of FAMILIES) {
    const admits = admitted.familyRows(family);
    const sends = sent.familyRows(family);
    for (const group of groups) {
      if (!group.families.includes(family) || !whole.isolated(group.index, 'egress')) {
        continue;
      }
      const sides = [['ingress', admits, sends], ['egress', sends, admits]] as const;
      for (const [side, open, other] of sides) {
        // Only pod groups isolated for ingress are in the set: external classes drop out.
        for (const entry of restrictMap(subtractMaps(open[group.index], other[group.index]), ingressIsolated)) {
          groupPairs += entry.classes.count;
          parts.push({ side, family, source: group.index, destinations: entry.classes, connections: entry.connections });
        }
      }
    }
  }
  if (groupPairs > HALF_OPEN_LIMIT) {
    return {
      byRule,
      notChecked: {
        reason: `${groupPairs.toLocaleString('en-US')} pairs of pod groups have half-open flows (${cluster.pods.length.toLocaleString('en-US')} pods in `
          + `${groups.length.toLocaleString('en-US')} groups), more than the check lists (${HALF_OPEN_LIMIT.toLocaleString('en-US')}); `
          + 'lint a part of the cluster (fewer namespaces) to check it',
      },
    };
  }
  const recorder = new Recorder(full, whole, ruleLocations(policies, objects), byRule);
  for (const part of parts) {
    part.destinations.forEach((destination) => {
      for (const atom of part.connections.atoms()) {
        // The check is about connections without an HTTP request (docs/ANALYSIS.md, lint): atoms of
        // HTTP request classes (issue 13) are left to reach and diff.
        const { request } = universe.space.atoms[atom];
        if (request === undefined || request === NO_REQUEST) {
          recorder.record(part.side, part.family, part.source, destination, universe.space.atoms[atom]);
        }
      }
    });
  }
  return { byRule };
}

/** Half-open connections from one source group to some destination groups, in one family. */
interface HalfOpenPart {
  readonly side: 'ingress' | 'egress';
  readonly family: IpFamily;
  readonly source: number;
  readonly destinations: ClassSet;
  readonly connections: ConnectionSet;
}

/** A rule's findings while they are collected: pairs of pod groups (`source * size + destination`). */
interface RuleFindings {
  readonly side: 'ingress' | 'egress';
  readonly groupPairs: Set<number>;
  readonly examples: string[];
  otherEnd: string;
}

/**
 * Explains half-open connections and files them under the rules that allow them on the open side.
 * Which rules those are depends only on the open end's own evaluation, the other end's group, the
 * atom and the family, so one explanation serves every pair alike; examples are explained for their
 * own pair.
 */
class Recorder {
  private readonly refsCache = new Map<string, readonly string[]>();
  private readonly evaluationIds = new Map<ConnectionMap, number>();
  private readonly findings = new Map<string, RuleFindings>();

  constructor(
    private readonly analyzer: ReachabilityAnalyzer,
    private readonly connectivity: Connectivity,
    private readonly rules: ReadonlyMap<string, { object: LintObject; path: string }>,
    private readonly byRule: Map<LintObject, Map<string, HalfOpenRule>>,
  ) {}

  public record(side: 'ingress' | 'egress', family: IpFamily, source: number, destination: number, atom: PortRange): void {
    const [openEnd, otherEnd, direction] = side === 'ingress' ? [destination, source, 'ingress' as const] : [source, destination, 'egress' as const];
    const key = `${side}|${family}|${this.evaluationId(this.connectivity.evaluation(openEnd, direction, family))}|${otherEnd}|${atom.protocol}|${atom.from}`;
    let refs = this.refsCache.get(key);
    if (refs === undefined) {
      refs = this.explain(side, family, source, destination, atom).refs;
      this.refsCache.set(key, refs);
    }
    const size = this.connectivity.universe.sets.size;
    for (const ref of refs) {
      const location = this.rules.get(ref);
      if (!location) {
        continue;
      }
      let paths = this.byRule.get(location.object);
      if (!paths) {
        paths = new Map();
        this.byRule.set(location.object, paths);
      }
      let findings = this.findings.get(`${ref}|${side}`);
      if (!findings) {
        findings = { side, groupPairs: new Set(), examples: [], otherEnd: '' };
        this.findings.set(`${ref}|${side}`, findings);
        paths.set(location.path, this.ruleView(findings));
      }
      findings.groupPairs.add(source * size + destination);
      if (findings.examples.length < EXAMPLES) {
        const explained = this.explain(side, family, source, destination, atom);
        findings.examples.push(explained.example);
        if (findings.examples.length === 1) {
          findings.otherEnd = explained.otherEnd;
        }
      }
    }
  }

  /** One flow of the atom between representatives of the two groups (two different pods), explained. */
  private explain(side: 'ingress' | 'egress', family: IpFamily, source: number, destination: number, atom: PortRange) {
    const groups = this.connectivity.universe.grouping.groups;
    const from = groups[source].pods[0];
    const to = source === destination ? groups[destination].pods[1] : groups[destination].pods[0];
    const verdict = this.analyzer.evaluate({
      source: podEndpoint(from.namespace, from.name),
      destination: podEndpoint(to.namespace, to.name),
      port: atom.from,
      protocol: atom.protocol,
      ipFamily: family,
    });
    const allowing = verdict.steps.find((step) => step.layer === 'network' && step.direction === side);
    const denying = verdict.steps.find((step) => step.layer === 'network' && step.direction !== side && !step.allowed);
    if (!allowing?.allowed || !denying) {
      throw new Error(`half-open check: the exact sets and the verdict on ${podId(from)} -> ${podId(to)} ${atom.protocol} ${atom.from} over ${family} disagree (a bug; please report it)`);
    }
    const ports = atom.from === atom.to ? `${atom.from}/${atom.protocol}` : `${atom.protocol} ${atom.from}-${atom.to}`;
    const common = FAMILIES.filter((f) => from.ips.some((ip) => ip.family === f) && to.ips.some((ip) => ip.family === f));
    return {
      refs: allowing.allowedBy,
      example: `pod ${podId(from)} -> pod ${podId(to)} on ${ports}${common.length > 1 ? ` over ${family}` : ''}`,
      otherEnd: `${denying.direction} at ${denying.endpoint}: ${denying.reason}`,
    };
  }

  private evaluationId(map: ConnectionMap): number {
    let id = this.evaluationIds.get(map);
    if (id === undefined) {
      id = this.evaluationIds.size;
      this.evaluationIds.set(map, id);
    }
    return id;
  }

  /** The finding as the rule reads it: pod pairs counted and listed from the pairs of groups. */
  private ruleView(findings: RuleFindings): HalfOpenRule {
    const universe = this.connectivity.universe;
    const size = universe.sets.size;
    const groups = universe.grouping.groups;
    const each = (visit: (source: number, destination: number) => void) => findings.groupPairs
      .forEach((key) => visit(Math.floor(key / size), key % size));
    return {
      side: findings.side,
      get pairCount() {
        let count = 0;
        each((s, d) => {
          const n = groups[s].pods.length;
          count += s === d ? n * (n - 1) : n * groups[d].pods.length;
        });
        return count;
      },
      pairs: () => {
        const pairs: string[] = [];
        each((s, d) => groups[s].pods.forEach((a) => groups[d].pods.forEach((b) => {
          if (a !== b) pairs.push(`${podId(a)} -> ${podId(b)}`);
        })));
        return pairs;
      },
      examples: findings.examples,
      get otherEnd() {
        return findings.otherEnd;
      },
    };
  }
}

/** The objects the network layer enforces (Istio's are left out: it authorizes ingress only). */
function isNetworkLayer(object: LintObject): boolean {
  return object.key === KIND.kubernetesNetworkPolicy || object.key === KIND.ciliumNetworkPolicy || object.key === KIND.ciliumClusterwideNetworkPolicy
    || isCalicoPolicy(object) || object.key === KIND.calicoTier || object.key === KIND.calicoNetworkSet || object.key === KIND.calicoGlobalNetworkSet;
}

/** The raw object with the namespace lint gave it (a `--default-namespace` may differ from the analyzer's default). */
function withNamespace(object: LintObject): unknown {
  if (object.namespace === undefined) {
    return object.raw;
  }
  const metadata = { ...(object.raw.metadata as Record<string, unknown>), namespace: object.namespace };
  return { ...object.raw, metadata };
}

/** Where each rule of the translated policies is written: `<kind> <ns>/<name> <label>` → object and field path. */
function ruleLocations(policies: readonly AnalysisPolicy[], objects: readonly LintObject[]): Map<string, { object: LintObject; path: string }> {
  const locations = new Map<string, { object: LintObject; path: string }>();
  for (const policy of policies) {
    const item = /^items\[(\d+)\]$/.exec(policy.source?.path ?? '');
    const object = item ? objects[Number(item[1])] : undefined;
    if (!object) {
      continue;
    }
    for (const rules of [policy.ingress, policy.egress]) {
      for (const rule of rules?.rules ?? []) {
        const label = rule.label.replace(/\.toPorts\[\d+\]$/, '');
        locations.set(formatRuleRef(policy.ref, rule.label), { object, path: label.startsWith('specs[') ? label : `spec.${label}` });
      }
    }
  }
  return locations;
}
