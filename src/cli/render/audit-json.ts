import { AuditedFlow, AuditResult, Observation } from '../../analysis';

/** The version of the audit JSON (docs/ANALYSIS.md, "audit, JSON"). */
export const AUDIT_JSON_SCHEMA = 'cdk8s-zero-trust/audit/v1';

/**
 * `audit --format json`: the whole result, every list complete, written piece by piece (one list
 * item per line) so that a large result is never one string.
 */
export function writeAuditJson(
  result: AuditResult, files: { readonly flows: string; readonly format: string | undefined }, write: (text: string) => void,
): void {
  const flow = (f: AuditedFlow) => ({
    source: f.source,
    destination: f.destination,
    protocol: f.protocol,
    port: f.port,
    ...(f.http ? { http: f.http } : {}),
    count: f.count,
    line: f.line,
    recorded: recorded(f.recorded),
    ...(f.recordedBy ? { recordedBy: f.recordedBy } : {}),
    allowed: f.allowed,
    egressAllowed: f.egressAllowed,
    ingressAllowed: f.ingressAllowed,
    reason: f.reason,
    ...(f.difference ? { difference: f.difference } : {}),
  });
  const list = <T>(key: string, items: readonly T[] | undefined, item: (x: T) => unknown, last = false) => {
    if (items === undefined) {
      write(`  ${JSON.stringify(key)}: null${last ? '' : ','}\n`);
      return;
    }
    write(`  ${JSON.stringify(key)}: [`);
    items.forEach((x, i) => write(`${i === 0 ? '' : ','}\n    ${JSON.stringify(item(x))}`));
    write(`${items.length ? '\n  ' : ''}]${last ? '' : ','}\n`);
  };
  write(`{\n  "schema": ${JSON.stringify(AUDIT_JSON_SCHEMA)},\n  "flows": ${JSON.stringify({
    file: files.flows, format: files.format ?? null, records: result.flowRecords, distinct: result.distinctFlows, lostEvents: result.lostEvents,
  })},\n`);
  list('denied', result.denied, flow);
  list('differs', result.differs, flow);
  list('unmapped', result.unmapped, u => u);
  list('skipped', result.skipped, x => x);
  list('unused', result.unused, u => ({ source: u.source, destination: u.destination, allowed: u.allowed.toJSON(), unused: u.unused.toJSON() }));
  list('audited', result.flows, flow, true);
  write('}\n');
}

/** An observation as JSON: `{"verdict": "allowed", "scope": "egress"}`, `{"verdict": "denied", "direction": …}`. */
function recorded(o: Observation): Record<string, unknown> {
  switch (o.kind) {
    case 'allowed': return { verdict: 'allowed', scope: o.scope };
    case 'denied': return { verdict: 'denied', ...(o.direction ? { direction: o.direction } : {}), audit: o.audit, reason: o.reason };
    case 'dropped': return { verdict: 'dropped', reason: o.reason };
    case 'none': return { verdict: 'none' };
  }
}
