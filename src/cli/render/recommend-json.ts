import { AllowanceEnd, AllowedPort } from '../../importer/recommend/recommendation';
import { RecommendRun } from '../../importer/recommend/run-recommend';
import { RecommendedWorkload } from '../../importer/recommend/workload-selection';

/** The version of the recommend JSON (docs/RECOMMEND.md, "JSON report"). */
export const RECOMMEND_JSON_SCHEMA = 'cdk8s-zero-trust/recommend/v1';

/** What the JSON names besides the run: the flow file, its format, the engine and the files written. */
export interface RecommendJsonContext {
  readonly flows: string;
  readonly format: string | undefined;
  readonly engine: string;
  readonly written: readonly string[];
}

/**
 * `recommend --format json`: the whole report, every list complete (no `--max-listed`), written
 * piece by piece (one list item per line) as `audit --format json` is, so that a large report is
 * never one string. Ports, connection sets and flows are shaped as in the audit JSON.
 */
export function writeRecommendJson(run: RecommendRun, context: RecommendJsonContext, write: (text: string) => void): void {
  const r = run.recommendation;
  const counts: Record<string, number> = {};
  for (const i of run.plan.intents) counts[i.kind] = (counts[i.kind] ?? 0) + 1;
  const list = <T>(key: string, items: readonly T[], item: (x: T) => unknown, last = false) => {
    write(`  ${JSON.stringify(key)}: [`);
    items.forEach((x, i) => write(`${i === 0 ? '' : ','}\n    ${JSON.stringify(item(x))}`));
    write(`${items.length ? '\n  ' : ''}]${last ? '' : ','}\n`);
  };
  const field = (key: string, value: unknown) => write(`  ${JSON.stringify(key)}: ${JSON.stringify(value)},\n`);
  write(`{\n  "schema": ${JSON.stringify(RECOMMEND_JSON_SCHEMA)},\n`);
  field('flows', { file: context.flows, format: context.format ?? null, records: r.flowRecords, lostEvents: r.lostEvents });
  field('app', { engine: context.engine, files: context.written, intents: { total: run.plan.intents.length, ...counts }, policies: run.policyCount });
  field('isolatedNamespaces', r.isolatedNamespaces);
  field('openNamespaces', r.openNamespaces);
  field('notes', r.notes);
  list('workloads', r.workloads, workload);
  list('allowances', r.allowances, a => ({
    source: end(a.source),
    destination: end(a.destination),
    construct: a.construct,
    ports: a.ports.map(port),
    flows: a.observed.length,
    records: a.records,
    line: a.observed[0].line,
    unobservedSources: a.unobservedSources.map(p => `${p.namespace}/${p.name}`),
    unobservedDestinations: a.unobservedDestinations.map(p => `${p.namespace}/${p.name}`),
  }));
  field('proof', { auditedFlows: run.proof.audit.distinctFlows, records: run.proof.audit.flowRecords, policies: run.policyCount, allAllowed: true });
  list('beyondObserved', run.proof.beyondObserved, u => ({ source: u.source, destination: u.destination, allowed: u.allowed.toJSON(), unused: u.unused.toJSON() }));
  const nowAllowed = new Set(run.proof.deniedNowAllowed.map(f => f.line));
  list('denied', r.denied, c => ({
    source: c.source.label,
    destination: c.destination.label,
    protocol: c.protocol,
    port: c.port,
    ...(c.http ? { http: c.http } : {}),
    count: c.count,
    line: c.line,
    allowedByApp: nowAllowed.has(c.line),
  }));
  list('leftOut', r.ignored, i => i);
  list('skipped', r.skipped, s => s);
  const allow = run.tests.assertions.filter(a => a.expectation === 'toAllow').length;
  write(`  "tests": ${JSON.stringify({ toAllow: allow, toDeny: run.tests.assertions.length - allow, allowedLeftOut: run.tests.allowedLeftOut })}\n}\n`);
}

function workload(w: RecommendedWorkload): Record<string, unknown> {
  return {
    namespace: w.namespace,
    name: w.name,
    owner: w.owner,
    selector: w.selector.kind === 'labels' ? { labels: w.selector.labels } : { allPods: true },
    why: w.reason,
    pods: w.pods.map(p => p.name),
    ...(w.merged ? { merged: w.merged } : {}),
  };
}

function end(e: AllowanceEnd): Record<string, unknown> {
  return e.kind === 'cidr'
    ? { kind: 'cidr', cidr: e.cidr, addresses: e.addresses, apiServer: e.apiServer }
    : { kind: 'workload', namespace: e.workload.namespace, name: e.workload.name };
}

function port(p: AllowedPort): Record<string, unknown> {
  return {
    protocol: p.protocol,
    port: p.port,
    ...(p.http ? { http: p.http.map(h => ({ method: h.method, path: h.path, requests: h.requests })) } : {}),
    ...(p.l4Reason ? { l4Reason: p.l4Reason } : {}),
  };
}
