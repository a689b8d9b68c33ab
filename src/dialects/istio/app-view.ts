import { AllowStatement, DirectionModel, IsolateStatement, MtlsStatement, Statement } from '../../model';

/** Whether a statement isolates its subject in a direction (any stage). */
export function isolates(x: Statement, direction: DirectionModel): x is IsolateStatement | AllowStatement {
  return (x.kind === 'isolate' && x.directions.includes(direction)) || (x.kind === 'allow' && x.isolating && x.direction === direction);
}

/**
 * The statements an Istio engine renders in one app, with indexes built on
 * first use. Every question the renderer and its guards ask about the rest of
 * the app concerns one namespace (pod sets never span namespaces) or one
 * intent: answering from an index instead of scanning every statement keeps
 * synthesis linear in the size of the app. Each list keeps app order.
 */
export class IstioAppView {
  private isolatorIndex?: Map<string, (IsolateStatement | AllowStatement)[]>;
  private mtlsIndex?: Map<string, MtlsStatement[]>;
  private allowIndex?: Map<string, AllowStatement[]>;
  private enforcedAllowIndex?: Map<string, AllowStatement[]>;
  private ingressByOriginIndex?: Map<string, AllowStatement[]>;
  private readonly memo = new Map<string, unknown>();

  constructor(public readonly statements: readonly Statement[]) {}

  /** Statements isolating pods of the namespace in the direction, in the stage. */
  public isolators(direction: DirectionModel, stage: string, namespace: string): readonly (IsolateStatement | AllowStatement)[] {
    if (!this.isolatorIndex) {
      const index = new Map<string, (IsolateStatement | AllowStatement)[]>();
      for (const x of this.statements) {
        for (const d of ['ingress', 'egress'] as const) {
          if (isolates(x, d)) push(index, `${d}|${x.stage}|${x.subject.namespace}`, x);
        }
      }
      this.isolatorIndex = index;
    }
    return this.isolatorIndex.get(`${direction}|${stage}|${namespace}`) ?? [];
  }

  /** mTLS statements of the namespace. */
  public mtlsIn(namespace: string): readonly MtlsStatement[] {
    if (!this.mtlsIndex) {
      const index = new Map<string, MtlsStatement[]>();
      for (const x of this.statements) {
        if (x.kind === 'mtls') push(index, x.subject.namespace, x);
      }
      this.mtlsIndex = index;
    }
    return this.mtlsIndex.get(namespace) ?? [];
  }

  /** Allowances (any stage) in the direction whose subject is in the namespace. */
  public allowsIn(direction: DirectionModel, namespace: string): readonly AllowStatement[] {
    if (!this.allowIndex) {
      const index = new Map<string, AllowStatement[]>();
      for (const x of this.statements) {
        if (x.kind === 'allow') push(index, `${x.direction}|${x.subject.namespace}`, x);
      }
      this.allowIndex = index;
    }
    return this.allowIndex.get(`${direction}|${namespace}`) ?? [];
  }

  /** Enforced allowances in the direction whose subject is in the namespace. */
  public enforcedAllowsIn(direction: DirectionModel, namespace: string): readonly AllowStatement[] {
    if (!this.enforcedAllowIndex) {
      const index = new Map<string, AllowStatement[]>();
      for (const x of this.statements) {
        if (x.kind === 'allow' && x.stage === 'enforce') push(index, `${x.direction}|${x.subject.namespace}`, x);
      }
      this.enforcedAllowIndex = index;
    }
    return this.enforcedAllowIndex.get(`${direction}|${namespace}`) ?? [];
  }

  /** Ingress allowances (any stage) made by the intent at this construct path. */
  public ingressOf(originPath: string): readonly AllowStatement[] {
    if (!this.ingressByOriginIndex) {
      const index = new Map<string, AllowStatement[]>();
      for (const x of this.statements) {
        if (x.kind === 'allow' && x.direction === 'ingress') push(index, x.origin.path, x);
      }
      this.ingressByOriginIndex = index;
    }
    return this.ingressByOriginIndex.get(originPath) ?? [];
  }

  /** Computes a value once per key (for answers that depend on the renderer's options). */
  public remember<T>(key: string, compute: () => T): T {
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const value = compute();
    this.memo.set(key, value);
    return value;
  }
}

function push<T>(index: Map<string, T[]>, key: string, value: T): void {
  const list = index.get(key);
  if (list) list.push(value);
  else index.set(key, [value]);
}
