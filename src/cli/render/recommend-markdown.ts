import { markdownCode } from './markdown-escape';
import { portText, recommendSummary } from './recommend-text';
import { describeEnd } from '../../importer/recommend/recommendation';
import { RecommendRun } from '../../importer/recommend/run-recommend';

/**
 * `recommend --format markdown`: a pull-request comment in the shape of `audit --format markdown` —
 * the summary, then tables cut after `maxListed` rows. Every name, reason and note is a code span.
 */
export function renderRecommendMarkdown(run: RecommendRun, engine: string, maxListed: number): string {
  const r = run.recommendation;
  const escape = (text: string) => text.replace(/[\\`*_[\]<>|]/g, c => `\\${c}`);
  const code = (text: string) => markdownCode(text, 'table');
  const lines = ['## Recommended policies', '', escape(recommendSummary(run, engine)), '',
    `- isolated both ways (DefaultDeny): ${r.isolatedNamespaces.map(n => markdownCode(n)).join(', ')}`];
  if (r.openNamespaces.length > 0) lines.push(`- not isolated (peers only): ${r.openNamespaces.map(n => markdownCode(n)).join(', ')}`);
  if (r.lostEvents > 0) lines.push(`- note: the flow source lost ${r.lostEvents} events (Hubble lost_events): the capture is incomplete`);
  for (const note of r.notes) lines.push(`- note: ${markdownCode(note)}`);
  const table = <T>(title: string, header: string, items: readonly T[], row: (item: T) => string, empty?: string) => {
    if (items.length === 0) {
      if (empty) lines.push('', `### ${title}`, '', empty);
      return;
    }
    lines.push('', `### ${title} (${items.length})`, '', `| ${header} |`, `|${header.split('|').map(() => ' --- ').join('|')}|`);
    lines.push(...items.slice(0, maxListed).map(item => `| ${row(item)} |`));
    if (items.length > maxListed) lines.push('', `… and ${items.length - maxListed} more (--max-listed, or --format json for all).`);
  };
  table('Workloads', 'workload | selector | pods | why', r.workloads, w => `${code(`${w.namespace}/${w.name}`)} | `
    + `${code(w.selector.kind === 'all-pods' ? 'Workload.allPods()' : Object.entries(w.selector.labels).map(([k, v]) => `${k}=${v}`).join(', '))} | ${w.pods.length} | ${code(w.reason)}`);
  table('Allowed', 'from | to | intent | ports | flows | records | first line', r.allowances, a => `${code(describeEnd(a.source))} | ${code(describeEnd(a.destination))} | `
    + `${a.construct} | ${code(a.ports.map(portText).join(', '))} | ${a.observed.length} | ${a.records} | ${a.observed[0].line}`);
  lines.push('', `**Proof:** ${run.proof.audit.distinctFlows} observed flow${run.proof.audit.distinctFlows === 1 ? '' : 's'} audited with the exact engine against the `
    + `${run.policyCount} synthesized polic${run.policyCount === 1 ? 'y' : 'ies'}: all allowed.`);
  const grouped = r.allowances.filter(a => a.unobservedSources.length > 0 || a.unobservedDestinations.length > 0);
  table('Also allowed: pods of the workloads no observed flow came from or went to', 'from | to | unobserved pods', grouped, a => `${code(describeEnd(a.source))} | `
    + `${code(describeEnd(a.destination))} | ${code([...a.unobservedSources, ...a.unobservedDestinations].map(p => `${p.namespace}/${p.name}`).join(', '))}`);
  table('Also allowed beyond the observed flows (per endpoint class of the exact engine)', 'from | to | allowed, not observed', run.proof.beyondObserved,
    u => `${code(u.source.join(', '))} | ${code(u.destination.join(', '))} | ${code(u.unused.format())}`, 'None.');
  const nowAllowed = new Set(run.proof.deniedNowAllowed.map(f => f.line));
  table('Denied by policy when observed', 'from | to | connection | records | first line | the app', r.denied, c => `${code(c.source.label)} | ${code(c.destination.label)} | `
    + `${c.protocol} ${c.port}${c.http ? ` ${code(`${c.http.method} ${c.http.path}`)}` : ''} | ${c.count} | ${c.line} | ${nowAllowed.has(c.line) ? '**allows it**' : 'denies it'}`);
  table('Left out', 'records | first line | reason', r.ignored, i => `${i.count} | ${i.line} | ${code(i.reason)}`);
  table('Skipped', 'records | first line | reason', r.skipped, s => `${s.count} | ${s.line} | ${code(s.reason)}`);
  const allow = run.tests.assertions.filter(a => a.expectation === 'toAllow').length;
  lines.push('', `**Tests:** \`main.test.ts\` asserts ${allow} observed flow${allow === 1 ? '' : 's'} allowed (toAllow)`
    + `${run.tests.allowedLeftOut > 0 ? ` (${run.tests.allowedLeftOut} more left out by --max-allow-tests)` : ''} and ${run.tests.assertions.length - allow} unobserved denied (toDeny).`);
  return `${lines.join('\n')}\n`;
}
