import { escapeText } from './text-escape';
import { AuditedFlow, AuditResult, Observation } from '../../analysis';

/** A flow as one line: `pod a/b -> pod c/d TCP 8080 GET /x (3 records from line 12)`. Untrusted text: escaped by the caller. */
export function auditFlowLine(f: AuditedFlow): string {
  return `${f.source} -> ${f.destination} ${f.protocol} ${f.port}${f.http ? ` ${f.http.method} ${f.http.path}` : ''}`
    + ` (${f.count} record${f.count === 1 ? '' : 's'}, first on line ${f.line})`;
}

/** What a record said, as words. */
export function observationText(o: Observation): string {
  switch (o.kind) {
    case 'allowed': return o.scope === 'egress' ? 'allowed at egress' : 'allowed';
    case 'denied': return `${o.audit ? 'would be denied (audit)' : 'denied'}${o.direction ? ` at ${o.direction}` : ''}: ${o.reason}`;
    case 'dropped': return `dropped: ${o.reason}`;
    case 'none': return 'no verdict';
  }
}

/** The one-line summary every format starts with. */
export function auditSummary(result: AuditResult): string {
  const unmapped = result.unmapped.reduce((n, u) => n + u.count, 0);
  return `${result.flowRecords} flow record${result.flowRecords === 1 ? '' : 's'}, ${result.distinctFlows} distinct flow${result.distinctFlows === 1 ? '' : 's'} audited: ${result.denied.length} would be denied, `
    + `${result.differs.length} recorded differently than the policies decide, ${unmapped} record${unmapped === 1 ? '' : 's'} not mapped to the cluster model`
    + `${result.unused ? `, ${result.unused.length} allowance${result.unused.length === 1 ? '' : 's'} no observed flow used` : ''}`;
}

/** `audit --format text`: the summary, then each list, cut after `maxListed` entries. */
export function renderAuditText(result: AuditResult, maxListed: number): string {
  const lines = [auditSummary(result)];
  if (result.lostEvents > 0) lines.push(`  note: the flow source lost ${result.lostEvents} events (Hubble lost_events): the capture is incomplete`);
  const section = <T>(title: string, items: readonly T[], line: (item: T) => string[]) => {
    if (items.length === 0) return;
    lines.push('', `${title} (${items.length}):`);
    for (const item of items.slice(0, maxListed)) lines.push(...line(item));
    if (items.length > maxListed) lines.push(`  … and ${items.length - maxListed} more (--max-listed, or --format json for all)`);
  };
  section('WOULD BE DENIED', result.denied, f => [`  ${auditFlowLine(f)}`, `    recorded: ${observationText(f.recorded)}`, `    because: ${f.reason}`]);
  section('RECORDED VERDICT DIFFERS', result.differs, f => [`  ${auditFlowLine(f)}`, `    ${f.difference}`]);
  section('NOT MAPPED', result.unmapped, u => [`  ${u.count} record${u.count === 1 ? '' : 's'} (first on line ${u.line}): ${u.reason}`]);
  if (result.unused) {
    section('ALLOWED, NO OBSERVED FLOW USED IT', result.unused, u => [
      `  ${list(u.source)} -> ${list(u.destination)}: ${u.unused.format()}${u.unused.equals(u.allowed) ? '' : ` (of ${u.allowed.format()})`}`,
    ]);
  }
  section('SKIPPED', result.skipped, s => [`  ${s.count} record${s.count === 1 ? '' : 's'} (first on line ${s.line}): ${s.reason}`]);
  return `${lines.map(escapeText).join('\n')}\n`;
}

function list(labels: readonly string[]): string {
  return labels.length <= 3 ? labels.join(', ') : `${labels.slice(0, 3).join(', ')} (+${labels.length - 3})`;
}
