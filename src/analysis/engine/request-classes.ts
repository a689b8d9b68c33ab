/* eslint-disable no-bitwise -- the description reads class sets as bit sets. */
import { httpMatchMatches } from './rule-matching';
import { accepts, automatonOf, CharMask, closure, edgeMasks, maskHas, maskOf, step, StringAutomaton } from './string-language';
import { AnalysisInputError } from '../ir/analysis-input-error';
import { HttpMatch } from '../ir/analysis-policy';
import { HttpRequest } from '../ir/flow';
import { StringMatch } from '../ir/string-match';

/**
 * The request space and its classes (docs/ANALYSIS.md, "Request classes").
 *
 * A request is a method, a path (`:path` as the policy sees it, query string included) and
 * optionally a host. The space is what HTTP/1.1 and HTTP/2 can carry to a policy: a method is a
 * non-empty token (RFC 9110 §9.1, §5.6.2), a path an origin-form request target (RFC 9112 §3.2.1:
 * `/`, then RFC 3986 path and query characters — no space, no control character, no `#`, nothing
 * beyond ASCII, which must be percent-encoded), a host a non-empty RFC 3986 authority or none.
 *
 * The classes are derived exactly from the input's HTTP conditions: two requests are in one class
 * iff every `HttpMatch` of every rule decides them alike. Per dimension, every condition is a
 * finite automaton (`string-language.ts`) and the product of a dimension's automata is explored
 * breadth first: each reachable tuple of states is a set of strings, and the conditions it accepts
 * are one realizable combination, with the shortest string as its example. The classes of a
 * dimension are the realizable combinations; a request class is a set of combinations of the
 * dimensions' classes that every `HttpMatch` decides alike, with an example request. Nothing is
 * sampled: a combination is a class iff some string realizes it. An exploration above its bound is
 * refused with the conditions named.
 */
export interface RequestClass {
  /** Position in `RequestClasses.classes`. */
  readonly index: number;
  /** One request of the class (every request of it is decided alike by every rule). */
  readonly example: HttpRequest;
  /** Readable and exact: `GET /api/v1/*`, `(any method except GET) /healthz`. */
  readonly description: string;
  /** The parts of the description, one per method × path × host combination of the class. */
  readonly parts: readonly RequestPart[];
}

/** One combination of a method class, a path class and a host class. */
export interface RequestPart {
  readonly method: string;
  readonly path: string;
  /** undefined when no rule tells hosts apart. */
  readonly host?: string;
}

const ALPHA_DIGIT = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** RFC 9110 tchar. */
export const METHOD_CHARS = `${ALPHA_DIGIT}!#$%&'*+-.^_\`|~`;
/** RFC 3986 pchar (unreserved, `%`, sub-delims, `:`, `@`) plus `/` and `?`. */
export const PATH_CHARS = `${ALPHA_DIGIT}-._~%!$&'()*+,;=:@/?`;
/** RFC 3986 authority characters (reg-name, IP literals, port). */
export const HOST_CHARS = `${ALPHA_DIGIT}-._~%!$&'()*+,;=:[]`;

/** At most this many automaton-state tuples explored per dimension. */
export const MAX_EXPLORED_STATES = 200_000;
/** At most this many method × path × host combinations. */
export const MAX_REQUEST_COMBINATIONS = 100_000;

/** A condition on one dimension, with the view of the value it reads. */
interface Predicate {
  readonly key: string;
  readonly match: StringMatch;
  /** `urlPath`: the path before the first `?` (Istio `paths`); `whole`: the value as sent. */
  readonly view: 'whole' | 'urlPath';
  readonly automaton: StringAutomaton;
}

/** A class of one dimension: the predicates its strings satisfy, and the shortest such string. */
interface DimensionClass {
  readonly signature: readonly boolean[];
  readonly example: string | undefined;
  readonly description: string;
}

/** The classes of the request space for a set of HTTP conditions. */
export class RequestClasses {
  /**
   * Derives the classes (see the module comment).
   * @throws AnalysisInputError when a condition cannot be evaluated or the exploration exceeds its bound
   */
  public static derive(matches: readonly HttpMatch[]): RequestClasses {
    const unique = dedupeMatches(matches);
    const methodPredicates = new Map<string, Predicate>();
    const pathPredicates = new Map<string, Predicate>();
    const hostPredicates = new Map<string, Predicate>();
    const add = (into: Map<string, Predicate>, match: StringMatch, view: 'whole' | 'urlPath') => {
      const key = `${view}|${match.kind}|${'value' in match ? match.value : ''}`;
      if (!into.has(key)) {
        into.set(key, { key, match, view, automaton: automatonOf(match) });
      }
    };
    for (const match of unique) {
      match.methods?.forEach((method) => add(methodPredicates, { kind: 'exact', value: method }, 'whole'));
      if (match.method) add(methodPredicates, match.method, 'whole');
      for (const m of [...match.methodCondition?.anyOf ?? [], ...match.methodCondition?.noneOf ?? []]) add(methodPredicates, m, 'whole');
      if (match.path) add(pathPredicates, match.path, 'whole');
      for (const m of [...match.urlPathCondition?.anyOf ?? [], ...match.urlPathCondition?.noneOf ?? []]) add(pathPredicates, m, 'urlPath');
      if (match.host) add(hostPredicates, match.host, 'whole');
    }
    const methods = dimensionClasses('method', [...methodPredicates.values()], METHOD_CHARS, '');
    const paths = dimensionClasses('path', [...pathPredicates.values()], PATH_CHARS, '/');
    const hosts = hostPredicates.size === 0
      ? [{ signature: [], example: undefined, description: '' }]
      : [{ signature: [...hostPredicates.values()].map(() => false), example: undefined, description: 'no host' },
        ...dimensionClasses('host', [...hostPredicates.values()], HOST_CHARS, '')];
    if (methods.length * paths.length * hosts.length > MAX_REQUEST_COMBINATIONS) {
      throw new AnalysisInputError(`the HTTP rules of the input tell apart ${methods.length} method classes, ${paths.length} path classes and ${hosts.length} host classes, more than the ${MAX_REQUEST_COMBINATIONS} combinations the analyzer derives request classes for; analyse fewer policies at a time`);
    }
    const byVector = new Map<string, { example: HttpRequest; parts: RequestPart[] }>();
    for (const method of methods) {
      for (const path of paths) {
        for (const host of hosts) {
          const request: HttpRequest = {
            method: method.example as string,
            path: path.example as string,
            ...(host.example === undefined ? {} : { host: host.example }),
          };
          const vector = unique.map((match) => (httpMatchMatches(match, request) ? '1' : '0')).join('');
          const part: RequestPart = {
            method: method.description, path: path.description, ...(hostPredicates.size > 0 ? { host: host.description } : {}),
          };
          const known = byVector.get(vector);
          if (known) {
            known.parts.push(part);
          } else {
            byVector.set(vector, { example: request, parts: [part] });
          }
        }
      }
    }
    const classes = [...byVector.values()].map((entry, index): RequestClass => {
      const parts = mergeParts(entry.parts, methods.length, paths.length);
      return { index, example: entry.example, parts, description: describeParts(parts) };
    });
    return new RequestClasses(unique, classes, [...byVector.keys()]);
  }

  private readonly byVector: Map<string, number>;

  private constructor(
    /** The distinct HTTP conditions the classes are derived from. */
    public readonly matches: readonly HttpMatch[],
    public readonly classes: readonly RequestClass[],
    vectors: readonly string[],
  ) {
    this.byVector = new Map(vectors.map((vector, index) => [vector, index]));
  }

  /**
   * The class of a concrete request: the one whose requests every condition decides as it.
   * @throws AnalysisInputError for a request outside the request space that no class stands for
   */
  public classOf(request: HttpRequest): number {
    const vector = this.matches.map((match) => (httpMatchMatches(match, request) ? '1' : '0')).join('');
    const index = this.byVector.get(vector);
    if (index === undefined) {
      throw new AnalysisInputError(`HTTP request ${JSON.stringify(`${request.method} ${request.path}`)}: no request of the request space is decided as it by every rule, so it lies outside the space the sets describe (a method is an RFC 9110 token, a path starts with / and has only RFC 3986 path and query characters); ask about it with explain --port`);
    }
    return index;
  }
}

/**
 * Builds the automaton of every string condition of a rule's HTTP matches, so that a condition the
 * analyzer cannot derive classes from is an error naming the rule (`name`), before any class is derived.
 * @throws AnalysisInputError naming the rule and the pattern
 */
export function checkHttpConditions(http: readonly HttpMatch[], name: string): void {
  for (const match of http) {
    const strings = [
      match.method, match.path, match.host,
      ...match.methodCondition?.anyOf ?? [], ...match.methodCondition?.noneOf ?? [],
      ...match.urlPathCondition?.anyOf ?? [], ...match.urlPathCondition?.noneOf ?? [],
    ];
    for (const one of strings) {
      if (one === undefined) continue;
      try {
        automatonOf(one);
      } catch (e) {
        if (e instanceof AnalysisInputError) {
          throw new AnalysisInputError(`${name}: ${e.message}`);
        }
        throw e;
      }
    }
  }
}

/** Distinct conditions (by content), in first-seen order. */
function dedupeMatches(matches: readonly HttpMatch[]): HttpMatch[] {
  const seen = new Map<string, HttpMatch>();
  for (const match of matches) {
    const key = JSON.stringify(match);
    if (!seen.has(key)) {
      seen.set(key, match);
    }
  }
  return [...seen.values()];
}

const DEAD = -1;
const TAIL = -2;

/**
 * A predicate's automaton made deterministic lazily: each closed NFA state set gets an id, and each
 * (id, symbol) step is computed once. `DEAD` is the empty set (no continuation matches), `TAIL` the
 * state of a urlPath view after its `?` (the rest of the path is not looked at).
 */
class LazyDfa {
  private readonly ids = new Map<string, number>();
  private readonly sets: number[][] = [];
  private readonly accepting: boolean[] = [];
  private readonly transitions = new Map<number, number>();

  constructor(private readonly predicate: Predicate) {}

  public initial(): number {
    return this.idOf(closure(this.predicate.automaton, [this.predicate.automaton.start], true, false));
  }

  public step(id: number, symbol: number): number {
    if (id === TAIL) {
      return TAIL;
    }
    const key = id * 128 + symbol;
    let next = this.transitions.get(key);
    if (next === undefined) {
      if (this.predicate.view === 'urlPath' && symbol === 0x3f /* ? */) {
        next = this.accepting[id] ? TAIL : DEAD;
      } else {
        next = this.idOf(step(this.predicate.automaton, this.sets[id], symbol));
      }
      this.transitions.set(key, next);
    }
    return next;
  }

  public accepts(id: number): boolean {
    return id === TAIL || (id !== DEAD && this.accepting[id]);
  }

  private idOf(set: number[]): number {
    if (set.length === 0) {
      return DEAD;
    }
    const key = set.join('.');
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.sets.length;
      this.sets.push(set);
      this.accepting.push(accepts(this.predicate.automaton, set));
      this.ids.set(key, id);
    }
    return id;
  }
}

/**
 * A tuple of the predicates' states, sparse: the predicates not in `DEAD`, ascending, with their
 * state ids (most predicates of a large input are dead after a few characters of a path).
 */
interface Tuple {
  readonly live: readonly number[];
  readonly states: readonly number[];
}

/**
 * The realizable combinations of whole-string conditions over the non-empty strings of `alphabet`
 * (each with its shortest string and which conditions it satisfies), explored exactly as a request
 * dimension is (`dnsNameClasses` cuts DNS names with it).
 * @throws AnalysisInputError when a condition cannot be evaluated or the exploration exceeds its bound
 */
export function stringClasses(
  dimension: string, matches: readonly StringMatch[], alphabet: string,
): { signature: readonly boolean[]; example: string }[] {
  const predicates = matches.map((match, k): Predicate => ({ key: `${k}`, match, view: 'whole', automaton: automatonOf(match) }));
  return dimensionClasses(dimension, predicates, alphabet, '').map((c) => ({ signature: c.signature, example: c.example as string }));
}

/**
 * The realizable combinations of one dimension's predicates over non-empty strings of `alphabet`
 * that start with `prefix`, each with its shortest string.
 */
function dimensionClasses(dimension: string, predicates: readonly Predicate[], alphabet: string, prefix: string): DimensionClass[] {
  const alphabetMask = maskOf(alphabet);
  const symbols = symbolClasses(predicates, alphabet).filter((symbol) => maskHas(alphabetMask, symbol));
  const dfas = predicates.map((p) => new LazyDfa(p));
  const advance = (tuple: Tuple, symbol: number): Tuple => {
    const live: number[] = [];
    const states: number[] = [];
    tuple.live.forEach((k, i) => {
      const next = dfas[k].step(tuple.states[i], symbol);
      if (next !== DEAD) {
        live.push(k);
        states.push(next);
      }
    });
    return { live, states };
  };
  let start: Tuple = { live: predicates.map((_, k) => k), states: dfas.map((dfa) => dfa.initial()) };
  start = { live: start.live.filter((_, i) => start.states[i] !== DEAD), states: start.states.filter((state) => state !== DEAD) };
  for (const c of prefix) {
    start = advance(start, c.charCodeAt(0));
  }
  // The key says whether a character was read: the empty string is not in the space.
  const keyOf = (tuple: Tuple, text: string) => `${text.length > 0 ? '+' : '-'}${tuple.live.map((k, i) => `${k}:${tuple.states[i]}`).join(',')}`;
  const seen = new Set<string>([keyOf(start, prefix)]);
  const found = new Map<string, { signature: boolean[]; example: string }>();
  const record = (tuple: Tuple, text: string) => {
    if (text.length === 0) {
      return;
    }
    const accepted = tuple.live.filter((k, i) => dfas[k].accepts(tuple.states[i]));
    const key = accepted.join(',');
    if (!found.has(key)) {
      const signature = predicates.map(() => false);
      accepted.forEach((k) => {
        signature[k] = true;
      });
      found.set(key, { signature, example: text });
    }
  };
  record(start, prefix);
  let frontier: { tuple: Tuple; text: string }[] = [{ tuple: start, text: prefix }];
  while (frontier.length > 0) {
    const next: typeof frontier = [];
    for (const { tuple, text } of frontier) {
      for (const symbol of symbols) {
        const after = advance(tuple, symbol);
        const extended = text + String.fromCharCode(symbol);
        const key = keyOf(after, extended);
        if (seen.has(key)) {
          continue;
        }
        seen.add(key);
        if (seen.size > MAX_EXPLORED_STATES) {
          throw new AnalysisInputError(`the ${dimension} conditions ${predicates.map((p) => describeMatch(p.match, dimension)).join(', ')} combine into more than ${MAX_EXPLORED_STATES} automaton states, so the analyzer cannot derive their request classes exactly; simplify the regexes (fewer counted repeats and overlapping wildcards)`);
        }
        record(after, extended);
        next.push({ tuple: after, text: extended });
      }
    }
    frontier = next;
  }
  const entries = [...found.values()].sort((a, b) => a.example.length - b.example.length || (a.example < b.example ? -1 : 1));
  const columns = predicates.map((_, k) => {
    const bits = new Uint32Array((entries.length + 31) >>> 5);
    entries.forEach((entry, c) => {
      if (entry.signature[k]) {
        bits[c >>> 5] |= 1 << (c & 31);
      }
    });
    return bits;
  });
  return entries.map((entry) => ({
    signature: entry.signature,
    example: entry.example,
    description: describeDimensionClass(dimension, predicates, entry.signature, columns, entries.map((e) => e.signature)),
  }));
}

/**
 * The alphabet cut into symbols no predicate tells apart (the same edges read each of them), one
 * representative each — a letter where the class has one, so examples read well.
 */
function symbolClasses(predicates: readonly Predicate[], alphabet: string): number[] {
  const masks: CharMask[] = predicates.flatMap((p) => edgeMasks(p.automaton));
  masks.push(maskOf('?')); // urlPath views cut at it
  const byKey = new Map<string, number>();
  for (const c of alphabet) {
    const code = c.charCodeAt(0);
    const key = masks.map((mask) => (maskHas(mask, code) ? '1' : '0')).join('');
    if (!byKey.has(key)) {
      byKey.set(key, code);
    }
  }
  return [...byKey.values()];
}

/**
 * A class of one dimension in words: the narrowest conditions its strings satisfy, except the
 * conditions they do not satisfy that overlap those (`/api/*`, `any path except /api/*, /healthz`).
 * `columns[k]` holds, as bits over the classes, the classes whose strings satisfy condition `k`.
 */
function describeDimensionClass(
  dimension: string, predicates: readonly Predicate[], signature: readonly boolean[], columns: readonly Uint32Array[],
  signatures: readonly (readonly boolean[])[],
): string {
  // a ⊆ b iff no realizable combination has a without b.
  const subset = (a: number, b: number) => columns[a].every((word, w) => (word & ~columns[b][w]) === 0);
  const positives = signature.flatMap((v, k) => (v ? [k] : []));
  const narrow = positives.filter((a) => !positives.some((b) => b !== a && subset(b, a) && (!subset(a, b) || b < a)));
  const words = columns[0]?.length ?? 0;
  const region = Uint32Array.from({ length: words }, (_, w) => positives.reduce((word, k) => word & columns[k][w], 0xffffffff));
  // The conditions some class of the region satisfies: the union of those classes' signatures.
  const inRegion = new Set<number>();
  region.forEach((word, w) => {
    for (let bits = word; bits !== 0; bits &= bits - 1) {
      const c = w * 32 + (31 - Math.clz32(bits & -bits));
      if (c < signatures.length) {
        inRegion.add(c); // the last word's bits beyond the classes are set when there is no positive
      }
    }
  });
  const regionClasses = [...inRegion];
  const overlapping = signature.flatMap((v, k) => (!v && regionClasses.some((c) => signatures[c][k]) ? [k] : []));
  const negatives = overlapping.filter((a) => !overlapping.some((b) => b !== a && subset(a, b) && (!subset(b, a) || b < a)));
  const label = (k: number) => describeMatch(predicates[k].match, dimension);
  const base = narrow.length === 0 ? `any ${dimension}` : narrow.map(label).join(' and ');
  return negatives.length === 0 ? base : `${base} except ${negatives.map(label).join(', ')}`;
}

/** A condition in words: `GET`, `/api/*`, `*.json`, `~^/v[0-9]+$` for a regex no simpler form says. */
export function describeMatch(match: StringMatch, dimension: string): string {
  switch (match.kind) {
    case 'exact':
      return match.value;
    case 'prefix':
      return `${match.value}*`;
    case 'suffix':
      return `*${match.value}`;
    case 'present':
      return `any ${dimension}`;
    case 'regex': {
      if (match.value === '.+' || match.value === '.*') {
        return `any ${dimension}`;
      }
      const literal = regexLiteral(match.value);
      return literal ?? `~${match.value}`;
    }
  }
}

/** `\/api\/v1\/.*` → `/api/v1/*`, `\/x(\?.*)?` → `/x`, `GET` → `GET`; undefined for other regexes. */
function regexLiteral(pattern: string): string | undefined {
  const shapes: [RegExp, (v: string) => string][] = [
    [/^((?:\\.|[^\\.*+?^${}()|[\]])*)\.\*$/, (v) => `${v}*`],
    [/^((?:\\.|[^\\.*+?^${}()|[\]])*)\(\\\?\.\*\)\?$/, (v) => v],
    [/^((?:\\.|[^\\.*+?^${}()|[\]])+)$/, (v) => v],
  ];
  for (const [shape, render] of shapes) {
    const m = shape.exec(pattern);
    if (m && !/\\[A-Za-z0-9]/.test(m[1])) {
      return render(m[1].replace(/\\(.)/g, '$1'));
    }
  }
  return undefined;
}

/** Parts that cover every method class of a path (or every path class of a method) become `any method` (`any path`). */
function mergeParts(parts: readonly RequestPart[], methodCount: number, pathCount: number): RequestPart[] {
  const merge = (list: readonly RequestPart[], field: 'method' | 'path', count: number): RequestPart[] => {
    const groups = new Map<string, RequestPart[]>();
    for (const part of list) {
      const key = field === 'method' ? `${part.path}\u0000${part.host ?? ''}` : `${part.method}\u0000${part.host ?? ''}`;
      groups.set(key, [...groups.get(key) ?? [], part]);
    }
    return [...groups.values()].flatMap((group) => (group.length === count && count > 1 ? [{ ...group[0], [field]: `any ${field}` }] : group));
  };
  return merge(merge(parts, 'method', methodCount), 'path', pathCount);
}

/** A class in words, from its method × path (× host) parts. */
function describeParts(parts: readonly RequestPart[]): string {
  const one = (part: RequestPart) => {
    const method = part.method.includes(' except ') ? `(${part.method})` : part.method;
    const path = part.path.includes(' except ') ? `(${part.path})` : part.path;
    const request = method === 'any method' && path === 'any path' ? 'any request' : `${method} ${path}`;
    return part.host === undefined ? request : `${request} host ${part.host}`;
  };
  return parts.map(one).join(' or ');
}
