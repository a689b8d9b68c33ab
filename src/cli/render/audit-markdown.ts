import { auditSummary, observationText } from './audit-text';
import { markdownCode } from './markdown-escape';
import { AuditedFlow, AuditResult } from '../../analysis';

/** `audit --format markdown`: a pull-request comment, tables cut after `maxListed` rows. Every name and reason is a code span. */
export function renderAuditMarkdown(result: AuditResult, maxListed: number): string {
  const lines = ['## Flow audit', '', auditSummary(result).replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`)];
  if (result.lostEvents > 0) lines.push('', `- note: the flow source lost ${result.lostEvents} events (Hubble lost_events): the capture is incomplete`);
  const code = (text: string) => markdownCode(text, 'table');
  const flow = (f: AuditedFlow) => `${code(f.source)} | ${code(f.destination)} | ${f.protocol} ${f.port}${f.http ? ` ${code(`${f.http.method} ${f.http.path}`)}` : ''} | ${f.count}`;
  const table = <T>(title: string, header: string, items: readonly T[], row: (item: T) => string) => {
    if (items.length === 0) return;
    lines.push('', `### ${title} (${items.length})`, '', `| ${header} |`, `|${header.split('|').map(() => ' --- ').join('|')}|`);
    lines.push(...items.slice(0, maxListed).map(item => `| ${row(item)} |`));
    if (items.length > maxListed) lines.push('', `… and ${items.length - maxListed} more (--max-listed, or --format json for all).`);
  };
  table('Would be denied', 'from | to | connection | records | recorded | because', result.denied, f => `${flow(f)} | ${code(observationText(f.recorded))} | ${code(f.reason)}`);
  table('Recorded verdict differs', 'from | to | connection | records | difference', result.differs, f => `${flow(f)} | ${code(f.difference ?? '')}`);
  table('Not mapped to the cluster model', 'records | first line | reason', result.unmapped, u => `${u.count} | ${u.line} | ${code(u.reason)}`);
  if (result.unused) {
    table('Allowed, no observed flow used it', 'from | to | unused | allowed', result.unused,
      u => `${code(u.source.join(', '))} | ${code(u.destination.join(', '))} | ${u.unused.format()} | ${u.allowed.format()}`);
  }
  return `${lines.join('\n')}\n`;
}
