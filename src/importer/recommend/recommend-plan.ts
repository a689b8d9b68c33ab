import { RecommendedHttpRule } from './http-rules';
import { AllowanceEnd, AllowedPort, describeEnd, RecommendedAllowance, Recommendation } from './recommendation';
import { RecommendedWorkload } from './workload-selection';
import { ImportPlan, PlanChart, PlanEngineKind, PlanIntent, PlanPeer, PlanTarget, PlanWorkload } from '../import-plan';
import { identifier } from '../render-app';

/** Options of `recommendationPlan`. */
export interface RecommendationPlanOptions {
  readonly engine: PlanEngineKind;
  /** The cluster's pod and Service CIDRs: needed (by the engine's TargetProfile) when an allowance names an outside address. */
  readonly target?: PlanTarget;
  /** The flow file, named in each intent's comment. */
  readonly flowFile: string;
}

/**
 * The recommendation as an import plan, so that it is built, proven and written as `import` does:
 * a chart per isolated namespace with a `DefaultDeny` (both directions), every allowance in the
 * chart of the side it isolates (`AllowFrom` in the destination's, `AllowTo` and `EgressToCidr` in
 * the source's), workloads declared once under readable names. DNS is allowed only as observed
 * (the lookups are flows like any other), so every egress-isolating intent acknowledges that
 * unobserved DNS is blocked (`acknowledgeDnsBlocked`).
 */
export function recommendationPlan(r: Recommendation, options: RecommendationPlanOptions): ImportPlan {
  const ids = workloadIds(r.workloads);
  const intents: PlanIntent[] = [];
  const chartIds = new Set<string>();
  const chartOf = (namespace: string) => {
    chartIds.add(namespace);
    return namespace;
  };
  for (const ns of r.isolatedNamespaces) {
    intents.push({
      kind: 'DefaultDeny',
      id: 'default-deny',
      chart: chartOf(ns),
      namespace: ns,
      directions: ['egress', 'ingress'],
      acknowledgeDnsBlocked: true,
      source: { object: `recommend: namespace ${ns} isolated both ways; only the observed flows below are allowed (DNS too)` },
    });
  }
  // Ids unique in the whole app, not only in their chart: an allowance renders its other half into the chart
  // of the peer's namespace under a name made from its id, which must not meet another intent's there.
  const used = new Set<string>(['default-deny']);
  const uniqueId = (base: string) => {
    let id = base;
    for (let i = 2; used.has(id); i++) id = `${base}-${i}`;
    used.add(id);
    return id;
  };
  const peer = (e: AllowanceEnd): PlanPeer => (e.kind === 'cidr' ? { kind: 'cidr', cidr: e.cidr, except: [] } : { kind: 'workload', workload: ids.get(e.workload)! });
  // Allowances with the same subject, side and ports (and HTTP rules) are one intent with several peers (DNS from
  // every workload of a namespace is one AllowFrom). An intent's HTTP rules apply to all its ports, so an allowance's
  // ports are split: those at L4 together, and each port with HTTP rules with the ports that have the same rules.
  interface Group {
    readonly side: 'ingress' | 'egress';
    readonly subject: RecommendedWorkload;
    readonly ports: readonly AllowedPort[];
    readonly http?: readonly RecommendedHttpRule[];
    readonly allowances: RecommendedAllowance[];
  }
  const groups = new Map<string, Group>();
  for (const a of r.allowances) {
    const side = a.construct === 'AllowFrom' ? 'ingress' as const : 'egress' as const;
    const subject = ((side === 'ingress' ? a.destination : a.source) as { workload: RecommendedWorkload }).workload;
    const byRules = new Map<string, AllowedPort[]>();
    for (const p of a.ports) {
      const rules = rulesKey(p.http);
      byRules.set(rules, [...(byRules.get(rules) ?? []), p]);
    }
    for (const [rules, ports] of byRules) {
      const key = `${side}|${ids.get(subject)}|${ports.map(p => `${p.protocol}/${p.port}`).join(',')}|${rules}`;
      let g = groups.get(key);
      if (!g) groups.set(key, g = { side, subject, ports, ...(ports[0].http ? { http: ports[0].http } : {}), allowances: [] });
      g.allowances.push(a);
    }
  }
  for (const g of groups.values()) {
    const ports = g.ports.map(p => ({ kind: 'port' as const, protocol: p.protocol, port: p.port }));
    const source = { object: sourceText(g.allowances, g.ports), location: options.flowFile };
    const chart = chartOf(g.subject.namespace);
    const others = g.allowances.map(a => (g.side === 'ingress' ? a.source : a.destination));
    const other = others.length === 1 ? constructIdPart(others[0], g.subject.namespace) : undefined;
    const id = uniqueId(g.side === 'ingress'
      ? (other ? `${other}-to-${g.subject.name}` : `to-${g.subject.name}`)
      : (other ? `${g.subject.name}-to-${other}` : `from-${g.subject.name}`));
    const workload = ids.get(g.subject)!;
    if (g.side === 'ingress') {
      const http = g.http?.map(h => ({ method: h.method, path: { kind: h.path.kind, value: h.path.value } }));
      intents.push({ kind: 'AllowFrom', id, chart, to: workload, peers: others.map(peer), ports, ...(http ? { http } : {}), source });
    } else if (others.length === 1 && others[0].kind === 'cidr') {
      intents.push({ kind: 'EgressToCidr', id, chart, workload, cidr: others[0].cidr, except: [], ports, acknowledgeDnsBlocked: true, source });
    } else {
      intents.push({ kind: 'AllowTo', id, chart, workload, peers: others.map(peer), ports, acknowledgeDnsBlocked: true, source });
    }
  }
  const charts: PlanChart[] = [...chartIds].sort().map(ns => ({ id: ns, namespace: ns }));
  // The plan constructs charts in order: intents grouped by chart, DefaultDeny first.
  const ordered = charts.flatMap(c => intents.filter(i => i.chart === c.id));
  const workloads: PlanWorkload[] = r.workloads.map(w => ({
    id: ids.get(w)!,
    namespace: w.namespace,
    labels: w.selector.kind === 'labels' ? w.selector.labels : {},
    expressions: [],
  }));
  return {
    engine: { kind: options.engine, ...(options.target ? { target: options.target } : {}) },
    charts,
    workloads,
    intents: ordered,
  };
}

/** Variable names: the workload's name in camelCase, with its namespace before it when two namespaces share the name. */
export function workloadIds(workloads: readonly RecommendedWorkload[]): Map<RecommendedWorkload, string> {
  const base = new Map(workloads.map(w => [w, identifier(w.name, 'Workload')]));
  const count = new Map<string, number>();
  for (const id of base.values()) count.set(id, (count.get(id) ?? 0) + 1);
  const ids = new Map<RecommendedWorkload, string>();
  const taken = new Set<string>();
  for (const w of workloads) {
    let id = base.get(w)!;
    if (count.get(id)! > 1) id = identifier(`${w.namespace}-${w.name}`, 'Workload');
    // The renderer names charts `<namespace>Chart`: a workload id must not end in Chart.
    if (id.endsWith('Chart')) id = `${id}Workload`;
    let unique = id;
    for (let i = 2; taken.has(unique); i++) unique = `${id}${i}`;
    taken.add(unique);
    ids.set(w, unique);
  }
  return ids;
}

/** A peer in a construct id: the workload's name (after its namespace when that is not the chart's), or the CIDR's digits. */
function constructIdPart(e: AllowanceEnd, chartNamespace: string): string {
  const text = e.kind === 'cidr' ? e.cidr.replace(/[^A-Za-z0-9]+/g, '-')
    : e.workload.namespace === chartNamespace ? e.workload.name : `${e.workload.namespace}-${e.workload.name}`;
  return text.replace(/^-+|-+$/g, '') || 'peer';
}

/** The identity of a port's HTTP rules ('' at L4). */
function rulesKey(http: readonly RecommendedHttpRule[] | undefined): string {
  return http ? JSON.stringify(http.map(h => [h.method, h.path.kind, h.path.value])) : '';
}

function sourceText(allowances: readonly RecommendedAllowance[], ports: readonly AllowedPort[]): string {
  const on = (a: RecommendedAllowance) => a.observed.filter(c => ports.some(p => p.protocol === c.protocol && p.port === c.port));
  const flows = allowances.reduce((n, a) => n + on(a).length, 0);
  const records = allowances.reduce((n, a) => n + on(a).reduce((k, c) => k + c.count, 0), 0);
  const line = Math.min(...allowances.map(a => on(a)[0].line));
  const pairs = allowances.slice(0, 3).map(a => `${describeEnd(a.source)} -> ${describeEnd(a.destination)}`).join('; ');
  return `recommend: ${pairs}${allowances.length > 3 ? `; and ${allowances.length - 3} more` : ''}: ${flows} observed flow${flows === 1 ? '' : 's'} `
    + `(${records} record${records === 1 ? '' : 's'}), first on line ${line}`;
}
