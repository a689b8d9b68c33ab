import * as fc from 'fast-check';
import { AnalysisInputError, ClusterModel, ObservedFlow, podEndpoint } from '../../../src/analysis';
import { ObservedConnectionsReader } from '../../../src/importer/recommend/observed-connections';
import { runRecommend } from '../../../src/importer/recommend/run-recommend';
import { canonicalRequestPath } from '../../../src/model';

// The HTTP rules recommend writes for --engine cilium --cilium-http-normalize-path allow exactly what
// docs/RECOMMEND.md ("HTTP rules") says, checked with the exact engine over the synthesized and read-back
// Cilium policies against a brute force written from that page: a port of a pair whose records are all
// HTTP requests that an HttpRule can name (an upper-case method; a path, without its query string, that is
// in normalized form — the form the proxy matches — and has no "%") allows a request iff an observed request
// has its method and its path (or, with --http-path-prefix-depth n, the path starts with the first n
// segments of a longer observed path), query strings aside, and nothing without a request; any other
// observed port of the pair is allowed at L4 (every request); a pair that was never observed gets nothing.
// A request's path is the one the policy sees (docs/ANALYSIS.md), so it is compared as given. Whether a
// path is in normalized form is the library's definition (canonicalRequestPath, docs/dialects/http-paths.md).
const RUNS = Number(process.env.RECOMMEND_HTTP_PROPERTY_RUNS ?? 100);
const decided = { rules: 0, l4: 0, over: 0 };
const METHODS = ['GET', 'POST', 'get', 'DELETE'];
// Mostly normalized paths (HTTP rules), sometimes not (the port stays at L4).
const segment = fc.oneof({ weight: 8, arbitrary: fc.constantFrom('a', 'b', 'v1') }, { weight: 1, arbitrary: fc.constantFrom('..', '.', '', '%41', '%20') });
const pathArb = fc.tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([segments, query]) => `/${segments.join('/')}${query ? '?page=2' : ''}`);
const requestArb = fc.record({
  source: fc.nat(1),
  method: fc.constantFrom('GET', 'GET', 'POST', 'get'),
  path: pathArb,
  l4Only: fc.boolean().map(b => b && Math.random() < 0.2),
});

describe('recommend, HTTP rules', () => {
  test('allow exactly the observed requests per pair and port, or the port at L4 when a rule cannot say them (property, brute force)', () => {
    fc.assert(fc.property(fc.array(requestArb, { minLength: 1, maxLength: 6 }), fc.option(fc.constantFrom(1, 2), { nil: undefined }),
      fc.integer({ min: 1, max: 5 }), (requests, depth, maxRules) => {
        const cluster = ClusterModel.create({
          namespaces: [{ name: 'a' }, { name: 'b' }],
          pods: [
            { namespace: 'a', name: 'c0', labels: { app: 'c0' }, ips: ['10.0.0.1'] },
            { namespace: 'a', name: 'c1', labels: { app: 'c1' }, ips: ['10.0.0.2'] },
            { namespace: 'b', name: 'server', labels: { app: 'server' }, ips: ['10.0.0.3'] },
          ],
        });
        const reader = new ObservedConnectionsReader(cluster);
        requests.forEach((r, i) => {
          const flow: ObservedFlow = {
            source: { kind: 'pod', namespace: 'a', name: `c${r.source}` },
            destination: { kind: 'pod', namespace: 'b', name: 'server' },
            protocol: 'TCP',
            port: 80,
            ...(r.l4Only ? {} : { http: { method: r.method, path: r.path } }),
            observation: { kind: 'allowed', scope: 'connection' },
          };
          reader.flow(flow, 1, i + 2);
        });
        const pathOnly = (path: string) => path.split('?')[0];
        const rulePath = (path: string) => {
          const c = pathOnly(path);
          const segments = c.split('/').slice(1);
          return depth !== undefined && segments.length > depth ? { prefix: `/${segments.slice(0, depth).join('/')}/` } : { exact: c };
        };
        // The brute force, per source: undefined = never observed; 'l4' = every request; else the observed requests.
        const expectation = (source: number): 'none' | 'l4' | 'over' | { method: string; path: string }[] => {
          const mine = requests.filter(r => r.source === source);
          if (mine.length === 0) return 'none';
          const normalized = (path: string) => canonicalRequestPath(pathOnly(path)) === pathOnly(path) && !path.includes('%');
          if (mine.some(r => r.l4Only || r.method !== r.method.toUpperCase() || !normalized(r.path))) return 'l4';
          const rules = new Set(mine.map(r => `${r.method} ${JSON.stringify(rulePath(r.path))}`));
          return rules.size > maxRules ? 'over' : mine;
        };
        let run;
        try {
          run = runRecommend(cluster, reader.finish(), {
            engine: 'cilium',
            flowFile: 'flows.csv',
            ciliumHttpNormalizePath: true,
            http: { maxRules, ...(depth !== undefined ? { pathPrefixDepth: depth } : {}) },
          });
        } catch (e) {
          // More rules than --max-http-rules for some pair is an error (without --http-l4-over-max), naming the bound.
          if (!(e instanceof AnalysisInputError)) throw e;
          expect(e.message).toContain(`more than --max-http-rules ${maxRules}`);
          expect([0, 1].some(s => expectation(s) === 'over')).toBe(true);
          decided.over++;
          return;
        }
        expect([0, 1].some(s => expectation(s) === 'over')).toBe(false);
        const questions = [...new Set([...requests.map(r => r.path), '/a', '/a/b', '/a/b/c', '/v1/a', '/unobserved', '/a//b', '/a/./b'])];
        for (const source of [0, 1]) {
          const expected = expectation(source);
          if (expected === 'l4') decided.l4++;
          if (typeof expected === 'object') decided.rules++;
          const connections = run.proof.analyzer.connections(podEndpoint('a', `c${source}`), podEndpoint('b', 'server'));
          expect([source, 'no request', connections.contains(80, 'TCP')]).toEqual([source, 'no request', expected === 'l4']);
          for (const method of METHODS) {
            for (const path of questions) {
              const allowedByRule = typeof expected === 'object' && expected.some((r) => {
                if (r.method !== method) return false;
                const rule = rulePath(r.path);
                const asked = pathOnly(path);
                return 'exact' in rule ? asked === rule.exact : asked.startsWith(rule.prefix);
              });
              const want = expected === 'l4' || allowedByRule;
              const got = connections.contains(80, 'TCP', { method, path });
              if (got !== want) {
                throw new Error(`c${source} -> server ${method} ${path} (depth ${depth}, max ${maxRules}): the app ${got ? 'allows' : 'denies'} it, `
                  + `the brute force ${want ? 'allows' : 'denies'} it; observed ${JSON.stringify(requests)}`);
              }
            }
          }
        }
        // The proof's list beyond the observed flows says no observed request (its class) is unused.
        for (const u of run.proof.beyondObserved) {
          for (const r of requests.filter(x => !x.l4Only && `a/c${x.source}` === u.source[0] && u.destination[0] === 'b/server')) {
            expect([r, u.unused.contains(80, 'TCP', { method: r.method, path: r.path })]).toEqual([r, false]);
          }
        }
      }), { numRuns: RUNS });
    // Every kind of decision was exercised.
    expect([decided.rules > RUNS / 4, decided.l4 > 0, decided.over > 0]).toEqual([true, true, true]);
  });
});
