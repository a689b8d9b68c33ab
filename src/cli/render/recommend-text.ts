import { auditFlowLine } from './audit-text';
import { escapeText } from './text-escape';
import { AllowedPort, describeEnd } from '../../importer/recommend/recommendation';
import { RecommendRun } from '../../importer/recommend/run-recommend';
import { RecommendedWorkload } from '../../importer/recommend/workload-selection';

function plural(n: number, what: string, many = `${what}s`): string {
  return `${n} ${n === 1 ? what : many}`;
}

function selectorText(w: RecommendedWorkload): string {
  return w.selector.kind === 'all-pods' ? 'Workload.allPods()' : `{${Object.entries(w.selector.labels).map(([k, v]) => `${k}=${v}`).join(', ')}}`;
}

/** The one-line summary every format starts with: records, flows allowed, intents by kind, engine, workloads. */
export function recommendSummary(run: RecommendRun, engine: string): string {
  const r = run.recommendation;
  const flows = r.allowances.reduce((n, a) => n + a.observed.length, 0);
  const records = r.allowances.reduce((n, a) => n + a.records, 0);
  const counts = new Map<string, number>();
  for (const i of run.plan.intents) counts.set(i.kind, (counts.get(i.kind) ?? 0) + 1);
  return `${plural(r.flowRecords, 'flow record')}; ${plural(flows, 'distinct flow')} (${plural(records, 'record')}) allowed by `
    + `${plural(run.plan.intents.length, 'intent')} (${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}) for Engine.${engine}() over ${plural(r.workloads.length, 'workload')}`;
}

/** A port as the report writes it: `TCP 8080`, with its HTTP rules when it has some (`TCP 8080 (GET /api/v1/orders, POST /api/v1/*)`). */
export function portText(p: AllowedPort): string {
  return `${p.protocol} ${p.port}${p.http ? ` (${p.http.map(h => `${h.method} ${h.path.value}${h.path.kind === 'prefix' ? '*' : ''}`).join(', ')})` : ''}`;
}

/**
 * `recommend`'s report: what was read, the workloads and why each selector, the intents, the proof
 * (every observed allowed flow allowed; what the grouping allows beyond them), what was left out and
 * why, and the generated tests. Lists are cut after `maxListed` entries; untrusted text is escaped.
 */
export function renderRecommendText(run: RecommendRun, engine: string, policies: number, maxListed: number): string {
  const r = run.recommendation;
  const lines: string[] = [
    `recommend: ${recommendSummary(run, engine)}`,
    `isolated both ways (DefaultDeny): ${list(r.isolatedNamespaces, 10)}; DNS is allowed only where it was observed (acknowledgeDnsBlocked)`,
  ];
  if (r.openNamespaces.length > 0) lines.push(`not isolated (peers only, --namespaces): ${list(r.openNamespaces, 10)}`);
  if (r.lostEvents > 0) lines.push(`  note: the flow source lost ${r.lostEvents} events (Hubble lost_events): the capture is incomplete, so flows may be missing`);
  for (const note of r.notes) lines.push(`  note: ${note}`);
  const section = <T>(title: string, items: readonly T[], line: (item: T) => string[], empty?: string) => {
    if (items.length === 0) {
      if (empty) lines.push('', `${title}: ${empty}`);
      return;
    }
    lines.push('', `${title} (${items.length}):`);
    for (const item of items.slice(0, maxListed)) lines.push(...line(item));
    if (items.length > maxListed) lines.push(`  … and ${items.length - maxListed} more (--max-listed)`);
  };
  section('WORKLOADS', r.workloads, w => [
    `  ${w.namespace}/${w.name} ${selectorText(w)}: ${plural(w.pods.length, 'pod')}, ${w.owner}`,
    `    why: ${w.reason}`,
  ]);
  section('ALLOWED', r.allowances, a => [
    `  ${describeEnd(a.source)} -> ${describeEnd(a.destination)}: ${a.ports.map(portText).join(', ')}`
      + ` (${plural(a.observed.length, 'flow')}, ${plural(a.records, 'record')}, first on line ${a.observed[0].line})`,
    ...(a.source.kind === 'cidr' && a.source.apiServer ? ['    the API server (reserved:kube-apiserver) by its address'] : []),
    ...(a.destination.kind === 'cidr' && a.destination.apiServer ? ['    the API server (reserved:kube-apiserver) by its address'] : []),
  ]);
  const audit = run.proof.audit;
  lines.push('', `PROOF: ${plural(audit.distinctFlows, 'observed flow')} audited with the exact engine against the ${plural(policies, 'policy', 'policies')} `
    + 'synthesized from the app on the cluster model: all allowed');
  const grouped = r.allowances.filter(a => a.unobservedSources.length > 0 || a.unobservedDestinations.length > 0);
  section('ALSO ALLOWED: PODS OF THE WORKLOADS NO OBSERVED FLOW CAME FROM OR WENT TO', grouped, a => {
    const pods = (ps: readonly { namespace: string; name: string }[]) => list(ps.map(p => `${p.namespace}/${p.name}`));
    const ports = a.ports.map(p => `${p.protocol} ${p.port}`).join(', ');
    return [
      `  ${describeEnd(a.source)} -> ${describeEnd(a.destination)} (${ports}):`
        + `${a.unobservedSources.length ? ` from ${pods(a.unobservedSources)}` : ''}`
        + `${a.unobservedDestinations.length ? ` to ${pods(a.unobservedDestinations)}` : ''}`,
    ];
  }, 'none (every pod of each allowance\'s workloads was observed)');
  section('ALSO ALLOWED BEYOND THE OBSERVED FLOWS, per endpoint class of the exact engine', run.proof.beyondObserved, u => [
    `  ${list(u.source)} -> ${list(u.destination)}: ${u.unused.format()}`,
  ], 'none (each class of pods the policies tell apart was observed on every connection allowed to it)');
  section('LEFT OUT: DENIED BY POLICY WHEN OBSERVED', r.denied, c => {
    const still = run.proof.deniedNowAllowed.some(f => f.line === c.line);
    return [`  ${c.source.label} -> ${c.destination.label} ${c.protocol} ${c.port}${c.http ? ` ${c.http.method} ${c.http.path}` : ''} (${plural(c.count, 'record')}, first on line ${c.line}): `
      + `${still ? 'ALLOWED by the app (observed allowed too, or through the workload grouping)' : 'denied by the app too'}`];
  });
  section('LEFT OUT', r.ignored, i => [`  ${plural(i.count, 'record')} (first on line ${i.line}): ${i.reason}`]);
  section('SKIPPED', r.skipped, s => [`  ${plural(s.count, 'record')} (first on line ${s.line}): ${s.reason}`]);
  if (run.proof.deniedNowAllowed.length > 0) {
    section('OBSERVED DENIED, ALLOWED BY THE APP', run.proof.deniedNowAllowed, f => [`  ${auditFlowLine(f)}`]);
  }
  const allow = run.tests.assertions.filter(a => a.expectation === 'toAllow').length;
  const deny = run.tests.assertions.length - allow;
  lines.push('', `TESTS: main.test.ts asserts ${allow} observed flow${allow === 1 ? '' : 's'} allowed (toAllow)`
    + `${run.tests.allowedLeftOut > 0 ? ` (${run.tests.allowedLeftOut} more left out by --max-allow-tests)` : ''} and ${deny} unobserved denied (toDeny)`);
  return `${lines.map(escapeText).join('\n')}\n`;
}

function list(labels: readonly string[], max = 3): string {
  return labels.length <= max ? labels.join(', ') : `${labels.slice(0, max).join(', ')} (+${labels.length - max})`;
}
