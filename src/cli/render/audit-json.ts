import { AuditedFlow, AuditResult, Observation } from '../../analysis';

/** The version of the audit JSON (docs/ANALYSIS.md, "audit, JSON"). */
export const AUDIT_JSON_SCHEMA = 'cdk8s-zero-trust/audit/v1';

/** `audit --format json`: the whole result, every list complete. */
export function renderAuditJson(result: AuditResult, files: { readonly flows: string; readonly format: string | undefined }): string {
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
  return `${JSON.stringify({
    schema: AUDIT_JSON_SCHEMA,
    flows: {
      file: files.flows, format: files.format ?? null, records: result.flowRecords, distinct: result.distinctFlows, lostEvents: result.lostEvents,
    },
    denied: result.denied.map(flow),
    differs: result.differs.map(flow),
    unmapped: result.unmapped,
    skipped: result.skipped,
    unused: result.unused?.map(u => ({
      source: u.source, destination: u.destination, allowed: u.allowed.toJSON(), unused: u.unused.toJSON(),
    })) ?? null,
    audited: result.flows.map(flow),
  }, null, 2)}\n`;
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
