import { Construct } from 'constructs';
import { MtlsMode } from './mtls-mode';
import { InputProblem, throwIfProblems } from '../validation/input-error';
import { resolveNamespace } from './private/intent-scope';
import { checkPropsObject } from './private/props';
import { workloadProp } from './private/typed-props';
import { Workload } from './workload';
import { PolicyCompiler } from '../engine/compiler';
import { allPodsIn, MtlsModeModel, MtlsPortExceptionModel, MtlsStatement } from '../model';
import { checkPortNumber } from '../validation/validators';

/** A container port that accepts connections in another mTLS mode than the rest of the workload. */
export interface MtlsPortException {
  /** The container (target) port, as the pod listens on it. */
  readonly port: number;
  /** The mode on this port, e.g. PERMISSIVE for a metrics port scraped from outside the mesh. */
  readonly mode: MtlsMode;
}

/** Properties of `MutualTls`. */
export interface MutualTlsProps {
  /**
   * The namespace whose pods accept the connections.
   * @default - the workload's namespace, else the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Only these pods. Per-port exceptions need a workload: Istio applies them
   * only to selected pods.
   * @default - every pod of the namespace
   */
  readonly workload?: Workload;
  /** The mode every port of the pods requires, unless listed in `portExceptions`. */
  readonly mode: MtlsMode;
  /**
   * Ports with another mode.
   * @default - none
   */
  readonly portExceptions?: MtlsPortException[];
  /**
   * Accept that an engine without mutual TLS (Kubernetes, Cilium, Calico:
   * CNI policies filter connections but cannot require mTLS) does not
   * enforce this requirement: there it renders nothing instead of failing
   * synthesis. Engines with mTLS (Istio) enforce it as always, so one app can
   * switch engines without changing its props.
   * @default false - synthesis fails on engines without mTLS
   */
  readonly acknowledgeNoEncryption?: boolean;
}

const PROPS = ['namespace', 'workload', 'mode', 'portExceptions', 'acknowledgeNoEncryption'];

/**
 * Requires mutual TLS (STRICT) or accepts both mTLS and plaintext
 * (PERMISSIVE) on connections into a namespace's pods, or some of them.
 *
 * STRICT rejects every client outside the mesh, so synthesis fails when an
 * allowance from a CIDR block or `Peer.anyone()` reaches a STRICT port: that
 * allowance could never be used. Only mesh engines (Istio) can express mTLS.
 *
 * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/
 */
export class MutualTls extends Construct {
  /** The namespace the requirement applies to. */
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: MutualTlsProps) {
    super(scope, id);
    const problems: InputProblem[] = [];
    props = checkPropsObject(props, PROPS, problems, true) as MutualTlsProps;
    const workload = props.workload === undefined ? undefined : workloadProp('workload', props.workload, problems);
    this.namespace = resolveNamespace(this, workload?._namespace ?? props.namespace, problems);
    const mode = checkMode('mode', props.mode, problems);
    const exceptions = new Map<number, MtlsPortExceptionModel>();
    if (props.portExceptions !== undefined && !Array.isArray(props.portExceptions)) {
      problems.push({ what: 'portExceptions', value: props.portExceptions, expected: 'a list of { port, mode }', fix: 'pass e.g. [{ port: 9090, mode: MtlsMode.PERMISSIVE }]' });
    }
    for (const e of Array.isArray(props.portExceptions) ? props.portExceptions : []) {
      if (e === null || typeof e !== 'object') {
        problems.push({ what: 'portExceptions entry', value: e, expected: 'an object { port, mode }', fix: 'pass e.g. { port: 9090, mode: MtlsMode.PERMISSIVE }' });
        continue;
      }
      const portProblems = checkPortNumber('port of a portExceptions entry', e?.port);
      problems.push(...portProblems);
      const m = checkMode(`mode of the mTLS port exception for port ${e?.port}`, e?.mode, problems);
      if (portProblems.length || !m) continue;
      if (exceptions.has(e.port)) {
        problems.push({ what: 'portExceptions', value: e.port, expected: 'each port at most once', fix: `keep one exception for port ${e.port}` });
      } else if (m === mode) {
        problems.push({ what: `mode of the mTLS port exception for port ${e.port}`, value: e.mode, expected: `a mode other than the workload's (${mode})`, fix: 'drop the exception: the port already uses that mode' });
      } else {
        exceptions.set(e.port, Object.freeze({ port: e.port, mode: m }));
      }
    }
    if (props.acknowledgeNoEncryption !== undefined && typeof props.acknowledgeNoEncryption !== 'boolean') {
      problems.push({ what: 'acknowledgeNoEncryption', value: props.acknowledgeNoEncryption, expected: 'true or false', fix: 'write acknowledgeNoEncryption: true, or leave it out' });
    }
    throwIfProblems(this.node.path, problems);
    const statement = mtlsStatement(this, 'MutualTls', workload ? workload._toPodSet(this.namespace) : allPodsIn(this.namespace), mode!, [...exceptions.values()]);
    PolicyCompiler.of(this).register(this, [statement], { noEncryptionAcknowledged: props.acknowledgeNoEncryption === true });
  }
}

/** Builds an mTLS statement (shared with ZeroTrustNamespace). */
export function mtlsStatement(construct: Construct, intent: string, subject: MtlsStatement['subject'], mode: MtlsModeModel, exceptions: MtlsPortExceptionModel[]): MtlsStatement {
  return Object.freeze({
    kind: 'mtls',
    origin: PolicyCompiler.origin(construct, intent),
    stage: 'enforce',
    subject,
    mode,
    portExceptions: Object.freeze([...exceptions].sort((a, b) => a.port - b.port)),
  });
}

function checkMode(what: string, v: unknown, problems: InputProblem[]): MtlsModeModel | undefined {
  if (v === MtlsMode.STRICT || v === MtlsMode.PERMISSIVE) return v as MtlsModeModel;
  problems.push({ what, value: v, expected: 'MtlsMode.STRICT or MtlsMode.PERMISSIVE', fix: 'use the MtlsMode enum; there is no DISABLE: leave the workload out of the mesh instead' });
  return undefined;
}
