import * as fc from 'fast-check';
import { AnalysisInputError, HttpMatch, HttpRequest, RequestClasses } from '../../../src/analysis';
import { METHOD_CHARS, PATH_CHARS } from '../../../src/analysis/engine/request-classes';
import { bruteHttpMatch, httpMatchArb, requestArb } from '../support/http-arbitraries';

// The request classes against brute force: a class must stand for every request it holds (every
// condition decides the request as it decides the class's example), and no request of the space may
// be missing a class — which is what the automata exploration has to get right. Conditions are
// decided by `bruteHttpMatch`, written from the IR's documentation without engine code.

const RUNS = Number(process.env.REQUEST_CLASS_RUNS ?? 300);

function vector(matches: readonly HttpMatch[], request: HttpRequest): string {
  return matches.map((match) => (bruteHttpMatch(match, request) ? '1' : '0')).join('');
}

/** Every problem of the classes for these requests (empty = exact on them); `derivedFrom` only to show the check can fail. */
function problems(matches: readonly HttpMatch[], requests: readonly HttpRequest[], derivedFrom: readonly HttpMatch[] = matches): string[] {
  const classes = RequestClasses.derive(derivedFrom);
  const out: string[] = [];
  const vectors = classes.classes.map((c) => vector(matches, c.example));
  if (new Set(vectors).size !== vectors.length) {
    out.push(`two classes are decided alike by every condition: ${vectors.join(' ')}`);
  }
  for (const c of classes.classes) {
    const { method, path } = c.example;
    if (![...method].every((ch) => METHOD_CHARS.includes(ch)) || !path.startsWith('/') || ![...path].every((ch) => PATH_CHARS.includes(ch))) {
      out.push(`class ${c.index} (${c.description}) has an example outside the request space: ${JSON.stringify(c.example)}`);
    }
  }
  for (const request of requests) {
    let index: number;
    try {
      index = classes.classOf(request);
    } catch (e) {
      out.push(`${JSON.stringify(request)} has no class (${(e as Error).message})`);
      continue;
    }
    if (vector(matches, request) !== vectors[index]) {
      out.push(`${JSON.stringify(request)} is in class ${index} (${classes.classes[index].description}), which the conditions decide otherwise`);
    }
  }
  return out;
}

/** Every path over a small alphabet up to a length: exhaustive, so no realizable combination can hide. */
function allPaths(alphabet: readonly string[], maxLength: number): string[] {
  let layer = ['/'];
  const all = ['/'];
  for (let n = 1; n < maxLength; n++) {
    layer = layer.flatMap((p) => alphabet.map((c) => p + c));
    all.push(...layer);
  }
  return all;
}

describe('request classes are exact', () => {
  test('for random conditions of every dialect shape, every random request (edge cases included) is in a class that stands for it', () => {
    const matchesArb = fc.array(httpMatchArb, { minLength: 1, maxLength: 5 });
    fc.assert(fc.property(matchesArb, fc.array(requestArb, { minLength: 20, maxLength: 40 }), (matches, requests) => {
      expect(problems(matches, requests)).toEqual([]);
    }), { numRuns: RUNS });
  }, 300_000);

  test('and every path of a small alphabet up to five characters, exhaustively', () => {
    const paths = allPaths(['/', 'a', 'b', 'c', '?', '%', '2', 'F', '*', 'x', '1'], 5);
    fc.assert(fc.property(fc.array(httpMatchArb, { minLength: 1, maxLength: 4 }), (matches) => {
      const requests = paths.flatMap((path) => [{ method: 'GET', path }, { method: 'PUT', path, host: 'api.example.com' }]);
      expect(problems(matches, requests)).toEqual([]);
    }), { numRuns: Math.max(5, Math.round(RUNS / 20)) });
  }, 300_000);

  test('the classes of a prefix rule and an exact rule are the three expected ones, with readable descriptions', () => {
    const classes = RequestClasses.derive([
      { method: { kind: 'regex', value: 'GET' }, path: { kind: 'regex', value: '/api/v1/.*' } },
      { methodCondition: { anyOf: [{ kind: 'exact', value: 'GET' }] }, urlPathCondition: { anyOf: [{ kind: 'exact', value: '/healthz' }] } },
    ]);
    expect(classes.classes.map((c) => c.description).sort()).toEqual([
      'GET /api/v1/*',
      'GET /healthz',
      'any method (any path except /api/v1/*, /healthz) or (any method except GET) /api/v1/* or (any method except GET) /healthz',
    ].sort());
    // `//` and `%2F` are not what the policy sees as `/api/v1/`: another class (the proxy's normalization comes first).
    const get = classes.classes.find((c) => c.description === 'GET /api/v1/*')!.index;
    expect(classes.classOf({ method: 'GET', path: '/api/v1/x?y=1' })).toBe(get);
    expect(classes.classOf({ method: 'GET', path: '/api//v1/x' })).not.toBe(get);
    expect(classes.classOf({ method: 'GET', path: '/api%2Fv1/x' })).not.toBe(get);
  });

  test('fails when the brute force and the classes see different conditions (the property can fail)', () => {
    const requests = [{ method: 'GET', path: '/' }, { method: 'POST', path: '/' }, { method: 'PUT', path: '/' }];
    expect(problems([{ methods: ['POST'] }], requests)).toEqual([]);
    expect(problems([{ methods: ['POST'] }], requests, [{ methods: ['GET'] }])).not.toEqual([]);
  });

  test('throws, naming the pattern, for a regex whose request classes cannot be derived (a word boundary)', () => {
    expect(() => RequestClasses.derive([{ path: { kind: 'regex', value: '/api\\b.*' } }])).toThrow(AnalysisInputError);
    expect(() => RequestClasses.derive([{ path: { kind: 'regex', value: '/api\\b.*' } }])).toThrow(/regex "\/api\\\\b\.\*": word boundaries/);
  });

  test('throws when the product of the automata exceeds its bound, rather than sample', () => {
    // "a, then 17 characters": every one of the 2^18 last-18-character windows is a state of its own.
    const matches: HttpMatch[] = [{ path: { kind: 'regex', value: '/(a|b)*a(a|b){17}' } }];
    expect(() => RequestClasses.derive(matches)).toThrow(/more than 200000 automaton states/);
  });
});
