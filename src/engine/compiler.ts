import { Chart, JsonPatch } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { Engine } from './engine';
import { objectName } from './object-name';
import { PolicyObject } from './policy-object';
import { targetProblems } from './target-checks';
import { RenderContext, RenderedObject } from '../dialects/dialect';
import { FEATURE_DESCRIPTIONS, featuresOf } from '../dialects/feature';
import { intentAnnotations } from '../dialects/intent-metadata';
import {
  allPodsIn, ClusterAllowStatement, clusterActionToString, ClusterActionModel, intersectPodSets, ClusterIsolateStatement, ClusterRuleStatement,
  coversNamespace, DirectionModel, isEverything, OriginModel, PodSetModel, podSetToString, Statement, statementToString,
} from '../model';

/** How an intent construct registered its statements. */
export interface RegistrationOptions {
  /** The user acknowledged that this intent's egress isolation blocks DNS. */
  readonly dnsBlockedAcknowledged?: boolean;
  /** The user accepted that engines without mutual TLS do not enforce this intent's mTLS statements (they render nothing there). */
  readonly noEncryptionAcknowledged?: boolean;
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
  /** Per object: rendered from the other side of a pod-to-pod allowance (a non-isolating statement). */
  readonly otherSide: boolean[];
}

const COMPILERS = new WeakMap<IConstruct, PolicyCompiler>();
const SEPARATE_ROOTS = new WeakSet<IConstruct>();
/** Per compilation root: the scopes whose intents were declared on another construct (see `declaredOn`). */
const DECLARED_ON = new WeakMap<IConstruct, Map<IConstruct, IConstruct>>();

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
    const root = compileRootOf(scope);
    let c = COMPILERS.get(root);
    if (!c) {
      const compiler = new PolicyCompiler(root);
      COMPILERS.set(root, compiler);
      // cdk8s validates the whole tree, root first, before anything is written (and again for every
      // chart it writes): the root's validation compiles, and only intents with errors get a
      // validation of their own, so that each error names its intent's path. One validation per
      // intent would cost every intent a call in each of those passes.
      root.node.addValidation({ validate: () => compiler.compileOnce() });
      c = compiler;
    }
    return c;
  }

  /**
   * Compiles the intents at or below `scope` on their own, as if they were a
   * separate app: their own isolation, guardrails and object names. For
   * alternative states of the same policies that are applied one at a time
   * (MeshMigration phases); must be called before any intent is added below.
   */
  public static compileSeparately(scope: IConstruct): void {
    if (COMPILERS.has(scope) || SEPARATE_ROOTS.has(scope)) return;
    SEPARATE_ROOTS.add(scope);
  }

  /**
   * Says that the intents at or below `scope` were declared on `declaredAt`: the construct path
   * their objects' `zero-trust.cdk8s.io/construct-path` annotation names is `declaredAt`'s path
   * followed by the rest of their path below `scope`. For patterns that build the same intents
   * in several internal charts (MeshMigration's phases and rollbacks): the annotation points to
   * where the user wrote the intent, and a rollback's objects equal the phase they restore.
   */
  public static declaredOn(scope: IConstruct, declaredAt: IConstruct): void {
    const root = compileRootOf(scope);
    let scopes = DECLARED_ON.get(root);
    if (!scopes) DECLARED_ON.set(root, scopes = new Map());
    scopes.set(scope, declaredAt);
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
    const path = construct.node.path;
    const origin = { path, baseName: objectName(ids.join('-')), intent };
    // Read when rendering, after the pattern has said where its intents were declared (`declaredOn`);
    // enumerable, so a copy made then (`{ ...origin, shared }`) keeps it.
    Object.defineProperty(origin, 'declaredPath', {
      get: () => {
        const declared = declaredPaths(compileRootOf(construct))(path);
        return declared === path ? undefined : declared;
      },
      enumerable: true,
    });
    return Object.freeze(origin);
  }

  private readonly registrations: Registration[] = [];
  private results?: Map<IConstruct, Compiled>;

  private constructor(private readonly root: IConstruct) {}

  /** Registers an intent's statements; they are compiled at synthesis. */
  public register(construct: IConstruct, statements: readonly Statement[], options: RegistrationOptions = {}): void {
    if (this.results) {
      throw new Error(`[${construct.node.path}] intents cannot be added after the app was synthesized. Fix: create every intent before calling synth().`);
    }
    const reg: Registration = { construct, statements, options };
    this.registrations.push(reg);
  }

  /** Every statement registered in the app, in construction order (for analysis and tests). */
  public statements(): Statement[] {
    return this.registrations.flatMap(r => [...r.statements]);
  }

  /** Every registered statement with the engine that renders it (for analysis and tests). */
  public statementsWithEngines(): { statement: Statement; engine: string | undefined }[] {
    return this.registrations.flatMap(r => r.statements.map(statement => ({ statement, engine: Engine.tryOf(r.construct)?.name })));
  }

  /** Compiles on the first call (the root's validation) and reports each intent's errors on the intent. */
  private compileOnce(): string[] {
    if (this.results) return [];
    for (const [construct, compiled] of this.compile()) {
      const errors = compiled.errors;
      if (errors.length) construct.node.addValidation({ validate: () => errors });
    }
    return [];
  }

  private compile(): Map<IConstruct, Compiled> {
    if (this.results) return this.results;
    const results = new Map<IConstruct, Compiled>();
    const all = this.statements();
    const isolated = isolationIndex(all, false);
    const isolatedWithAudit = isolationIndex(all, true);
    const withEngines = this.statementsWithEngines();
    const context: RenderContext = {
      statements: () => withEngines,
      isolatedSets: isolated,
      isolatedSetsWithAudit: isolatedWithAudit,
      objectName: (origin, suffix) => objectName(origin.baseName, suffix),
    };
    const seenNames = new Map<string, string>();
    const dns = dnsCoverage(all);
    const priorities = adminPriorities(this.registrations);
    for (const reg of this.registrations) {
      const errors: string[] = [];
      const objects: RenderedObject[] = [];
      const otherSide: boolean[] = [];
      errors.push(...dnsGuardrail(reg, dns));
      errors.push(...priorityGuardrail(reg, priorities));
      const engine = Engine.tryOf(reg.construct);
      if (!engine) {
        errors.push('no policy engine is chosen for this intent. Fix: call Engine.attach(chart, Engine.kubernetes()) (or another engine) on its chart.');
      } else {
        // Asked once per rendered object below: constructs compute their path on every read.
        const path = reg.construct.node.path;
        for (const s of reg.statements) {
          // A source half whose pods nothing isolates renders nothing in any engine: its features do not matter.
          // (For an audit half: isolated once the audit statements are enforced, as a staged preview shows.)
          const isolatedSets = s.stage === 'audit' ? context.isolatedSetsWithAudit : context.isolatedSets;
          if (s.kind === 'allow' && !s.isolating && !isolatedSets(s.subject.namespace, s.direction).some(x => intersectPodSets(s.subject, x))) continue;
          // An acknowledged mTLS requirement on an engine that has no mTLS at all: nothing to render, nothing to fail.
          if (s.kind === 'mtls' && reg.options.noEncryptionAcknowledged && !hasMtls(engine)) continue;
          const t = engine._dialect.lower ? engine._dialect.lower(s) : s;
          const problems = capabilityProblems(engine, t);
          if (!problems.length) problems.push(...targetProblems(t, engine._kind, engine._target), ...(engine._dialect.check?.(t, context) ?? []));
          if (problems.length) {
            errors.push(...problems);
            continue;
          }
          for (const rendered of engine._dialect.render(t, context)) {
            // Several statements of one intent may render the same name (e.g. two source halves in
            // one namespace): number them, deterministically, in rendering order.
            let o = rendered;
            for (let n = 2; seenNames.get(objectKey(o)) === path; n++) {
              const name = objectName(rendered.name, String(n));
              o = { ...rendered, name, id: `${rendered.id}-${n}` };
            }
            const key = objectKey(o);
            const other = seenNames.get(key);
            if (other !== undefined) {
              errors.push(`${o.kind} ${o.namespace ?? ''}/${o.name} would also be rendered by ${other}. Fix: give one of the two constructs another id.`);
            } else {
              seenNames.set(key, path);
              objects.push(o);
              otherSide.push(s.kind === 'allow' && !s.isolating);
            }
          }
        }
      }
      errors.push(...chartLabelProblems(reg.construct, objects.length > 0));
      results.set(reg.construct, { errors, objects, otherSide });
    }
    this.results = results;
    const failed = [...results.values()].some(r => r.errors.length > 0);
    if (!failed) {
      const placement = new OtherSidePlacement(this.root);
      const declaredPath = declaredPaths(this.root);
      for (const reg of this.registrations) {
        const ids = new Set<string>();
        const intentBase = reg.statements[0]?.origin.baseName ?? '';
        const compiled = results.get(reg.construct)!;
        compiled.objects.forEach((o, i) => {
          const parent = compiled.otherSide[i] ? placement.parentFor(reg.construct, o.namespace) : reg.construct;
          const obj = new PolicyObject(parent as any, childId(o, intentBase, ids), {
            apiVersion: o.apiVersion,
            kind: o.kind,
            metadata: {
              name: o.name,
              ...(o.namespace ? { namespace: o.namespace } : {}),
              ...(o.labels ? { labels: { ...o.labels } } : {}),
              // Every object names the intent behind it, so a live verdict or a `kubectl get` maps back to the app.
              annotations: { ...intentAnnotations({ ...o.origin, path: declaredPath(o.origin.path) }), ...o.annotations },
            },
            ...o.body,
          }, reg.construct as any);
          // A cluster-scoped kind has no namespace, even in a chart that sets one.
          if (!o.namespace && obj.metadata.namespace !== undefined) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
        });
      }
    }
    return results;
  }
}

/**
 * Where the other side of a pod-to-pod allowance goes: into the chart that
 * owns its namespace, when the app (or the separately compiled subtree) has
 * one and it is not the intent's own chart — a per-namespace GitOps pipeline
 * rejects a file with objects of another namespace. The chart that owns a
 * namespace is the one created with `{ namespace }`; of several, the one of
 * the first construct path. The objects go under one construct per intent in
 * that chart (`<intent path with "/" as "--">`), so names and contents stay
 * exactly as before; only the file changes.
 */
class OtherSidePlacement {
  private owners?: Map<string, Chart>;
  private readonly containers = new Map<string, IConstruct>();

  constructor(private readonly root: IConstruct) {}

  public parentFor(intent: IConstruct, namespace: string | undefined): IConstruct {
    if (namespace === undefined) return intent;
    const own = chartOf(intent);
    if (own?.namespace === namespace) return intent;
    const owner = this.ownerOf(namespace);
    if (!owner || owner === own) return intent;
    const key = `${owner.node.path}|${intent.node.path}`;
    let container = this.containers.get(key);
    if (!container) {
      const base = intent.node.path.replace(/\//g, '--') || 'app';
      let id = base;
      for (let n = 2; owner.node.tryFindChild(id); n++) id = `${base}-${n}`;
      container = new Construct(owner, id);
      this.containers.set(key, container);
    }
    return container;
  }

  private ownerOf(namespace: string): Chart | undefined {
    if (!this.owners) {
      const owners = new Map<string, Chart>();
      // Only charts of this compilation: a separately compiled subtree (a MeshMigration phase) is another app.
      const charts = this.root.node.findAll().filter((c): c is Chart => Chart.isChart(c) && compileRootOf(c) === this.root);
      charts.sort((a, b) => (a.node.path < b.node.path ? -1 : a.node.path > b.node.path ? 1 : 0));
      for (const c of charts) {
        if (c.namespace !== undefined && !owners.has(c.namespace)) owners.set(c.namespace, c);
      }
      this.owners = owners;
    }
    return this.owners.get(namespace);
  }
}

/**
 * The construct path an annotation names for a real construct path in this compilation: the
 * declared scope's path in place of the scope's (`PolicyCompiler.declaredOn`), else unchanged.
 */
function declaredPaths(root: IConstruct): (path: string) => string {
  const aliases = [...DECLARED_ON.get(root) ?? []]
    .map(([scope, at]) => ({ from: scope.node.path, to: at.node.path }))
    // The longest prefix first: a scope inside another one wins.
    .sort((a, b) => b.from.length - a.from.length);
  if (!aliases.length) return path => path;
  return (path) => {
    const alias = aliases.find(a => path === a.from || path.startsWith(`${a.from}/`));
    return alias ? alias.to + path.slice(alias.from.length) : path;
  };
}

/**
 * cdk8s copies a chart's labels into every object's metadata and serializes them with a sanitizer
 * that throws for a map whose own keys include `constructor` (or another Object.prototype name)
 * while the app is already writing files. Said here, in validation, before anything is written.
 */
function chartLabelProblems(intent: IConstruct, rendersObjects: boolean): string[] {
  const labels = rendersObjects ? chartOf(intent)?.labels : undefined;
  if (!labels) return [];
  const bad = Object.keys(labels).filter(k => k in Object.prototype);
  return bad.length
    ? [`the labels of chart ${chartOf(intent)!.node.path} include the key(s) ${bad.join(', ')}, which cdk8s cannot write into object metadata (its serializer reads obj.constructor). Fix: rename the chart label(s), or set them on the objects another way.`]
    : [];
}

/** The root of the compilation `scope` belongs to: the nearest separately compiled scope, else the app. */
function compileRootOf(scope: IConstruct): IConstruct {
  return scope.node.scopes.slice().reverse().find(s => SEPARATE_ROOTS.has(s)) ?? scope.node.root;
}

function chartOf(c: IConstruct): Chart | undefined {
  try {
    return Chart.of(c);
  } catch {
    return undefined;
  }
}

/**
 * The construct id of a rendered object below its intent: its id without the intent's base name,
 * which every object of the intent repeats (`team-a/web/ingress`, not
 * `team-a/web/web-ingress`). Sibling intents then give their objects the same ids, which also
 * keeps cdk8s's walks of the tree (one per chart it writes) cheap: V8 shares one hidden class
 * among child tables with the same keys. Numbered, in rendering order, when two objects of one
 * intent would get the same id. Objects named after something else (shared mesh plumbing)
 * keep their whole name.
 */
function childId(o: RenderedObject, base: string, used: Set<string>): string {
  const at = base ? o.id.indexOf(base) : -1;
  const short = at < 0 ? o.id
    : `${o.id.slice(0, at)}-${o.id.slice(at + base.length)}`.replace(/-{2,}/g, '-').replace(/^-|-$/g, '') || 'policy';
  let id = short;
  for (let n = 2; used.has(id); n++) id = `${short}-${n}`;
  used.add(id);
  return id;
}

function objectKey(o: RenderedObject): string {
  return `${o.apiVersion}|${o.kind}|${o.namespace ?? ''}|${o.name}`;
}

/**
 * The pod sets isolated per namespace and direction: by namespaced statements,
 * and by cluster-wide ones (all pods of every namespace they cover, including
 * namespaces no intent names). Audit statements isolate nothing, unless
 * `withAudit` asks what a staged preview (every audit statement enforced) sees.
 */
function isolationIndex(all: readonly Statement[], withAudit: boolean): (ns: string, dir: DirectionModel) => readonly PodSetModel[] {
  const index = new Map<string, PodSetModel[]>();
  const cluster: { statement: ClusterIsolateStatement | ClusterAllowStatement; direction: DirectionModel }[] = [];
  const keys = new Map<string, Set<string>>();
  const add = (ns: string, dir: DirectionModel, set: PodSetModel) => {
    const key = `${ns}|${dir}`;
    const list = index.get(key) ?? [];
    const seen = keys.get(key) ?? new Set<string>();
    const setKey = podSetToString(set);
    if (!seen.has(setKey)) {
      seen.add(setKey);
      list.push(set);
    }
    index.set(key, list);
    keys.set(key, seen);
  };
  for (const s of all) {
    if (s.stage === 'audit' && !withAudit) continue; // observed only: isolates nothing
    switch (s.kind) {
      case 'isolate': s.directions.forEach(d => add(s.subject.namespace, d, s.subject)); break;
      case 'allow': if (s.isolating) add(s.subject.namespace, s.direction, s.subject); break;
      case 'isolate-cluster': s.directions.forEach(direction => cluster.push({ statement: s, direction })); break;
      case 'allow-cluster': cluster.push({ statement: s, direction: s.direction }); break;
      case 'cluster-rule': break; // admin rules decide connections; they isolate nothing
      case 'mtls': break; // isolates nothing (it only says how connections must be secured)
    }
  }
  // Renderers ask once per statement: answer each namespace and direction once.
  const answers = new Map<string, readonly PodSetModel[]>();
  return (ns, dir) => {
    const key = `${ns}|${dir}`;
    let answer = answers.get(key);
    if (!answer) {
      const list = index.get(key) ?? [];
      const everything = allPodsIn(ns);
      const byCluster = cluster.some(c => c.direction === dir && coversNamespace(c.statement, ns));
      answer = byCluster && !keys.get(key)?.has(podSetToString(everything)) ? [everything, ...list] : list;
      answers.set(key, answer);
    }
    return answer;
  };
}

/** The enforced DNS allowances of an app, indexed once so the guardrail costs O(1) per statement. */
interface DnsCoverage {
  readonly clusterDns: readonly ClusterAllowStatement[];
  /** Per namespace: some AllowDns covers all its pods, or exactly these pod sets (`podSetToString`). */
  readonly byNamespace: ReadonlyMap<string, { allPods: boolean; readonly subjects: Set<string> }>;
}

function dnsCoverage(all: readonly Statement[]): DnsCoverage {
  const clusterDns: ClusterAllowStatement[] = [];
  const byNamespace = new Map<string, { allPods: boolean; readonly subjects: Set<string> }>();
  for (const d of all) {
    if ((d.kind !== 'allow' && d.kind !== 'allow-cluster') || d.purpose !== 'dns' || d.stage !== 'enforce') continue;
    if (d.kind === 'allow-cluster') {
      clusterDns.push(d);
      continue;
    }
    let entry = byNamespace.get(d.subject.namespace);
    if (!entry) byNamespace.set(d.subject.namespace, entry = { allPods: false, subjects: new Set() });
    entry.allPods ||= isEverything(d.subject.pods) && !d.subject.serviceAccount;
    entry.subjects.add(podSetToString(d.subject));
  }
  return { clusterDns, byNamespace };
}

/**
 * Seed failure case 1: egress isolation without a DNS allowance breaks every
 * Service-name lookup. Each egress-isolated pod set needs an AllowDns that
 * covers it (all pods of its namespace, or exactly the same pods), unless
 * the user acknowledged that DNS is meant to be blocked.
 */
function dnsGuardrail(reg: Registration, dns: DnsCoverage): string[] {
  if (reg.options.dnsBlockedAcknowledged) return [];
  const errors: string[] = [];
  const clusterDns = dns.clusterDns;
  for (const s of reg.statements) {
    if (s.stage === 'audit') continue;
    if (s.kind === 'isolate-cluster' || s.kind === 'allow-cluster') {
      const isolatesEgress = s.kind === 'isolate-cluster' ? s.directions.includes('egress') : s.direction === 'egress' && s.purpose !== 'dns';
      // Only a cluster-wide DNS allowance covers namespaces created later.
      if (!isolatesEgress || clusterDns.some(d => d.exceptNamespaces.every(n => s.exceptNamespaces.includes(n)))) continue;
      errors.push(`egress of every namespace except ${s.exceptNamespaces.join(', ')} is default-deny (${statementToString(s)}) but no ClusterAllowDns covers all of those namespaces, so every DNS lookup would fail and services stop reaching each other by name. `
        + `Fix: add new ClusterAllowDns(scope, 'cluster-allow-dns', { exceptNamespaces: ${JSON.stringify(s.exceptNamespaces)} }) (with at most these exceptions), or set acknowledgeDnsBlocked: true on this construct if blocking DNS is intended.`);
      continue;
    }
    if (s.kind === 'mtls' || s.kind === 'cluster-rule') continue;
    const isolatesEgress = s.kind === 'isolate' ? s.directions.includes('egress') : s.direction === 'egress' && s.isolating && s.purpose !== 'dns';
    if (!isolatesEgress) continue;
    const local = dns.byNamespace.get(s.subject.namespace);
    const covered = clusterDns.some(d => coversNamespace(d, s.subject.namespace))
      || (local !== undefined && (local.allPods || local.subjects.has(podSetToString(s.subject))));
    if (!covered) {
      errors.push(`egress of ${podSetToString(s.subject)} is default-deny (${statementToString(s)}) but no AllowDns covers these pods, so every DNS lookup would fail and services stop reaching each other by name. `
        + `Fix: add new AllowDns(scope, 'allow-dns', { namespace: '${s.subject.namespace}' }), or set acknowledgeDnsBlocked: true on this construct if blocking DNS is intended.`);
    }
  }
  return errors;
}

/** An admin-tier rule of the app: a cluster rule, or the allowance of a cluster-wide allow. */
interface AdminRule {
  readonly statement: ClusterRuleStatement | ClusterAllowStatement;
  readonly action: ClusterActionModel;
  readonly path: string;
}

/** The admin-tier rules by stage, direction and priority: the groups whose order an implementation may choose. */
function adminPriorities(registrations: readonly Registration[]): Map<string, AdminRule[]> {
  const index = new Map<string, AdminRule[]>();
  for (const reg of registrations) {
    for (const s of reg.statements) {
      if (s.kind !== 'cluster-rule' && s.kind !== 'allow-cluster') continue;
      const key = `${s.stage}|${s.direction}|${s.priority}`;
      const list = index.get(key) ?? [];
      list.push({ statement: s, action: s.kind === 'cluster-rule' ? s.action : 'allow', path: reg.construct.node.path });
      index.set(key, list);
    }
  }
  return index;
}

/**
 * Admin rules of one priority run in an order the implementation chooses
 * (network-policy-api `ClusterNetworkPolicySpec.priority`: "the implementation
 * can apply any of the matching policies"). Rules with the same action give
 * the same verdict in any order; rules with different actions would make the
 * verdict undefined, so they must have different priorities.
 */
function priorityGuardrail(reg: Registration, index: ReadonlyMap<string, AdminRule[]>): string[] {
  const errors: string[] = [];
  for (const s of reg.statements) {
    if (s.kind !== 'cluster-rule' && s.kind !== 'allow-cluster') continue;
    const mine: ClusterActionModel = s.kind === 'cluster-rule' ? s.action : 'allow';
    const others = (index.get(`${s.stage}|${s.direction}|${s.priority}`) ?? [])
      .filter(o => o.statement !== s && o.action !== mine);
    for (const other of others) {
      errors.push(`admin priority ${s.priority} is used for ${s.direction} both by this intent (${clusterActionToString(mine)}) and by ${other.path} (${clusterActionToString(other.action)}): `
        + 'implementations may run two cluster-wide policies of one priority in either order (network-policy-api ClusterNetworkPolicySpec.priority), so which of them decides would be undefined. '
        + 'Fix: give one of them another priority (0-1000; lower numbers match first).');
    }
  }
  return errors;
}

/** Whether the engine can require mutual TLS at all (Istio), as opposed to a CNI policy engine. */
function hasMtls(engine: Engine): boolean {
  const c = engine._dialect.capabilities;
  return c['mtls.strict'].level !== 'unsupported' || c['mtls.permissive'].level !== 'unsupported';
}

function capabilityProblems(engine: Engine, s: Statement): string[] {
  const out: string[] = [];
  for (const f of featuresOf(s)) {
    const c = engine._dialect.capabilities[f];
    if (c.level === 'exact') continue;
    if (c.level === 'approximate' && c.optIn?.enabled) continue;
    // A service account the user did not write (taken from a cdk8s-plus workload): say where it came from,
    // and first offer to leave it out, which selects the workload's pods by their labels as Kubernetes does.
    const from = f === 'subject.service-account' || f === 'peer.service-account' ? serviceAccountOrigins(s, f) : [];
    const origin = from.length ? ` The service account is ${from.join(' and ')}.` : '';
    const first = from.length ? 'drop useWorkloadServiceAccount to select those pods by their labels only, or ' : '';
    if (c.level === 'approximate') {
      out.push(`the ${engine.name} engine cannot express ${FEATURE_DESCRIPTIONS[f]} exactly (${c.reason}); in: ${statementToString(s)}.${origin} `
        + `Fix: ${first}${c.exactly ?? 'use an engine that can'}; or opt into the approximation with ${c.optIn?.option}, which widens the policy: ${c.optIn?.widening}.`);
    } else {
      out.push(`the ${engine.name} engine cannot express ${FEATURE_DESCRIPTIONS[f]} (${c.reason}); in: ${statementToString(s)}.${origin} Fix: ${first}${c.fix ?? 'use an engine that supports it'}.`);
    }
  }
  return out;
}

/** Where the service accounts of a statement's subject or peers came from, when the user did not write them. */
function serviceAccountOrigins(s: Statement, f: 'subject.service-account' | 'peer.service-account'): string[] {
  const origins = new Set<string>();
  if (f === 'subject.service-account' && 'subject' in s && s.kind !== 'cluster-rule' && s.subject.serviceAccountOrigin) origins.add(`${s.subject.serviceAccount}, ${s.subject.serviceAccountOrigin}`);
  if (f === 'peer.service-account' && 'peers' in s) {
    for (const p of s.peers) if (p.kind === 'pods' && p.serviceAccountOrigin) origins.add(`${p.serviceAccount}, ${p.serviceAccountOrigin}`);
  }
  return [...origins];
}
