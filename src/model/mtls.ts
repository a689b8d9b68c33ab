import type { OriginModel } from './origin';
import { PodSetModel, podSetToString } from './pod-set';

/**
 * Mutual TLS modes a workload accepts connections in: `STRICT` accepts only
 * mutually authenticated (mesh) connections, `PERMISSIVE` accepts both mesh
 * and plaintext connections.
 */
export type MtlsModeModel = 'STRICT' | 'PERMISSIVE';

/** A container port of the subject that accepts connections in another mode than the rest. */
export interface MtlsPortExceptionModel {
  /** The container (target) port, 1-65535. */
  readonly port: number;
  readonly mode: MtlsModeModel;
}

/**
 * Sets the mutual-TLS mode connections INTO the subject pods must use.
 *
 * Meaning for reachability: the model's allowances assume that every pod the
 * intent names is in the mesh, so an mTLS statement removes no flow between
 * those pods. What `STRICT` does remove is every plaintext connection: peers
 * that cannot be in the mesh (CIDR blocks, `anyone`, the API server) can no
 * longer connect to the subject on a STRICT port. Engines MUST reject an
 * allowance that such a peer could then never use, rather than drop it.
 *
 * Only mesh engines (Istio) can express it; CNI engines fail synthesis.
 * Never audit-only: a mesh either requires mTLS or does not.
 */
export interface MtlsStatement {
  readonly kind: 'mtls';
  readonly origin: OriginModel;
  /** Always `enforce`; present so that every statement has a stage. */
  readonly stage: 'enforce';
  /** The pods that accept connections; all pods of a namespace, or a workload. */
  readonly subject: PodSetModel;
  readonly mode: MtlsModeModel;
  /** Ports with another mode than `mode`; sorted by port, one entry per port. */
  readonly portExceptions: readonly MtlsPortExceptionModel[];
}

/** The mode a connection to `port` of the statement's subject must use. */
export function mtlsModeOfPort(s: MtlsStatement, port: number): MtlsModeModel {
  return s.portExceptions.find(e => e.port === port)?.mode ?? s.mode;
}

/** Readable form, e.g. `require STRICT mTLS into production/(all) (PERMISSIVE on port 9090)`. */
export function mtlsStatementToString(s: MtlsStatement): string {
  const ex = s.portExceptions.length ? ` (${s.portExceptions.map(e => `${e.mode} on port ${e.port}`).join(', ')})` : '';
  return `require ${s.mode} mTLS into ${podSetToString(s.subject)}${ex}`;
}
