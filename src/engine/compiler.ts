import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { IConstruct } from 'constructs';
import { Engine } from './engine';
import { objectName } from './object-name';
import { RenderContext, RenderedObject } from '../dialects/dialect';
import { FEATURE_DESCRIPTIONS, featuresOf } from '../dialects/feature';
import { DirectionModel, intersectPodSets, isEverything, OriginModel, PodSetModel, podSetToString, Statement, statementToString } from '../model';

/** How an intent construct registered its statements. */
export interface RegistrationOptions {
  /** The user acknowledged that this intent's egress isolation blocks DNS. */
  readonly dnsBlockedAcknowledged?: boolean;
}

interface Registration {
  readonly construct: IConstruct;
  readonly statements: readonly Statement[];
  readonly options: RegistrationOptions;
}

/** The result of compiling one registration. */
interface Compiled {
  readonly errors: string[];
  readonly objects: RenderedObject[];
}

const COMPILERS = new WeakMap<IConstruct, PolicyCompiler>();

/**
 * Compiles every intent of an app at synthesis, once: resolves each intent's
 * engine, runs the cross-construct guardrails, checks every statement against
 * the engine's capability table and renders the objects. Intents register at
 * construction; the work happens in the first validation of the app, which
 * cdk8s runs before anything is written, so any error stops synthesis.
 */
export class PolicyCompiler {
  /** The compiler of the app that contains `scope`. */
  public static of(scope: IConstruct): PolicyCompiler {
    const app = scope.node.root;
    let c = COMPILERS.get(app);
    if (!c) {
      c = new PolicyCompiler();
      COMPILERS.set(app, c);
    }
    return c;
  }

  /** Builds the origin of a statement made by an intent construct. */
  public static origin(construct: IConstruct, intent: string): OriginModel {
    let chart: IConstruct | undefined;
    try {
      chart = Chart.of(construct);
    } catch {
      chart = undefined;
    }
    const ids = construct.node.scopes.slice(chart ? chart.node.scopes.length : 1).map(s => s.node.id);
    return Object.freeze({ path: construct.node.path, baseName: objectName(ids.join('-')), intent });
  }

  private readonly registrations: Registration[] = [];
  private results?: Map<IConstruct, Compiled>;

  private constructor() {}

  /** Registers an intent's statements; they are compiled at synthesis. */
  public register(construct: IConstruct, statements: readonly Statement[], options: RegistrationOptions = {}): void {
    if (this.results) {
      throw new Error(`[${construct.node.path}] intents cannot be added after the app was synthesized. Fix: create every intent before calling synth().`);
    }
    const reg: Registration = { construct, statements, options };
    this.registrations.push(reg);
    construct.node.addValidation({ validate: () => this.compile().get(construct)?.errors ?? [] });
  }

  /** Every statement registered in the app, in construction order (for analysis and tests). */
  public statements(): Statement[] {
    return this.registrations.flatMap(r => [...r.statements]);
  }

  /** Every registered statement with the engine that renders it (for analysis and tests). */
  public statementsWithEngines(): { statement: Statement; engine: string | undefined }[] {
    return this.registrations.flatMap(r => r.statements.map(statement => ({ statement, engine: Engine.tryOf(r.construct)?.name })));
  }

  private compile(): Map<IConstruct, Compiled> {
    if (this.results) return this.results;
    const results = new Map<IConstruct, Compiled>();
    const all = this.statements();
    const isolated = isolationIndex(all);
    const withEngines = this.statementsWithEngines();
    const context: RenderContext = {
      statements: () => withEngines,
      isolatedSets: (ns, dir) => isolated.get(`${ns}|${dir}`) ?? [],
      objectName: (origin, suffix) => objectName(origin.baseName, suffix),
    };
    const seenNames = new Map<string, string>();
    for (const reg of this.registrations) {
      const errors: string[] = [];
      const objects: RenderedObject[] = [];
      errors.push(...dnsGuardrail(reg, all));
      const engine = Engine.tryOf(reg.construct);
      if (!engine) {
        errors.push('no policy engine is chosen for this intent. Fix: call Engine.attach(chart, Engine.kubernetes()) (or another engine) on its chart.');
      } else {
        for (const s of reg.statements) {
          // A source half whose pods nothing isolates renders nothing in any engine: its features do not matter.
          if (s.kind === 'allow' && !s.isolating && !context.isolatedSets(s.subject.namespace, s.direction).some(x => intersectPodSets(s.subject, x))) continue;
          const problems = capabilityProblems(engine, s);
          if (!problems.length) problems.push(...(engine._dialect.check?.(s, context) ?? []));
          if (problems.length) {
            errors.push(...problems);
            continue;
          }
          for (const o of engine._dialect.render(s, context)) {
            const key = `${o.apiVersion}|${o.kind}|${o.namespace ?? ''}|${o.name}`;
            const other = seenNames.get(key);
            if (other !== undefined) {
              errors.push(`${o.kind} ${o.namespace ?? ''}/${o.name} would also be rendered by ${other}. Fix: give one of the two constructs another id.`);
            } else {
              seenNames.set(key, reg.construct.node.path);
              objects.push(o);
            }
          }
        }
      }
      results.set(reg.construct, { errors, objects });
    }
    this.results = results;
    const failed = [...results.values()].some(r => r.errors.length > 0);
    if (!failed) {
      for (const reg of this.registrations) {
        for (const o of results.get(reg.construct)!.objects) {
          const obj = new ApiObject(reg.construct as any, o.id, {
            apiVersion: o.apiVersion,
            kind: o.kind,
            metadata: { name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}) },
            ...o.body,
          });
          // A cluster-scoped kind has no namespace, even in a chart that sets one.
          if (!o.namespace && obj.metadata.namespace !== undefined) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
        }
      }
    }
    return results;
  }
}

function isolationIndex(all: readonly Statement[]): Map<string, PodSetModel[]> {
  const index = new Map<string, PodSetModel[]>();
  const add = (ns: string, dir: DirectionModel, set: PodSetModel) => {
    const key = `${ns}|${dir}`;
    const list = index.get(key) ?? [];
    if (!list.some(x => podSetToString(x) === podSetToString(set))) list.push(set);
    index.set(key, list);
  };
  for (const s of all) {
    if (s.stage === 'audit') continue; // observed only: isolates nothing
    if (s.kind === 'isolate') s.directions.forEach(d => add(s.subject.namespace, d, s.subject));
    else if (s.isolating) add(s.subject.namespace, s.direction, s.subject);
  }
  return index;
}

/**
 * Seed failure case 1: egress isolation without a DNS allowance breaks every
 * Service-name lookup. Each egress-isolated pod set needs an AllowDns that
 * covers it (all pods of its namespace, or exactly the same pods), unless
 * the user acknowledged that DNS is meant to be blocked.
 */
function dnsGuardrail(reg: Registration, all: readonly Statement[]): string[] {
  if (reg.options.dnsBlockedAcknowledged) return [];
  const errors: string[] = [];
  for (const s of reg.statements) {
    if (s.stage === 'audit') continue;
    const isolatesEgress = s.kind === 'isolate' ? s.directions.includes('egress') : s.direction === 'egress' && s.isolating && s.purpose !== 'dns';
    if (!isolatesEgress) continue;
    const covered = all.some(d => d.kind === 'allow' && d.purpose === 'dns' && d.stage === 'enforce' && d.subject.namespace === s.subject.namespace
      && ((isEverything(d.subject.pods) && !d.subject.serviceAccount) || podSetToString(d.subject) === podSetToString(s.subject)));
    if (!covered) {
      errors.push(`egress of ${podSetToString(s.subject)} is default-deny (${statementToString(s)}) but no AllowDns covers these pods, so every DNS lookup would fail and services stop reaching each other by name. `
        + `Fix: add new AllowDns(scope, 'allow-dns', { namespace: '${s.subject.namespace}' }), or set acknowledgeDnsBlocked: true on this construct if blocking DNS is intended.`);
    }
  }
  return errors;
}

function capabilityProblems(engine: Engine, s: Statement): string[] {
  const out: string[] = [];
  for (const f of featuresOf(s)) {
    const c = engine._dialect.capabilities[f];
    if (c.level === 'exact') continue;
    if (c.level === 'approximate' && c.optIn?.enabled) continue;
    if (c.level === 'approximate') {
      out.push(`the ${engine.name} engine cannot express ${FEATURE_DESCRIPTIONS[f]} exactly (${c.reason}); in: ${statementToString(s)}. `
        + `Fix: use an engine that can, or opt into the approximation with ${c.optIn?.option}, which widens the policy: ${c.optIn?.widening}.`);
    } else {
      out.push(`the ${engine.name} engine cannot express ${FEATURE_DESCRIPTIONS[f]} (${c.reason}); in: ${statementToString(s)}. Fix: ${c.fix ?? 'use an engine that supports it'}.`);
    }
  }
  return out;
}
