import { HttpRule } from '../../src';

describe('HttpRule', () => {
  test.each([
    [HttpRule.get('/healthz'), { method: 'GET', path: { kind: 'exact', value: '/healthz' } }, 'GET /healthz'],
    [HttpRule.post('/api/v1/*'), { method: 'POST', path: { kind: 'prefix', value: '/api/v1/' } }, 'POST /api/v1/*'],
    [HttpRule.method('PURGE', '/cache'), { method: 'PURGE', path: { kind: 'exact', value: '/cache' } }, 'PURGE /cache'],
    [HttpRule.method('GET'), { method: 'GET' }, 'GET any path'],
    [HttpRule.anyMethod('/a.b+c(d)$'), { path: { kind: 'exact', value: '/a.b+c(d)$' } }, 'any method /a.b+c(d)$'],
  ])('models %s', (rule, model, text) => {
    expect(rule._problems).toEqual([]);
    expect(rule._model).toEqual(model);
    expect(rule.toString()).toBe(text);
  });

  test.each([
    ['a path without a leading slash', HttpRule.get('api'), 'a path starting with "/"'],
    ['a query string', HttpRule.get('/a?b=1'), 'without query string'],
    ['percent-encoding', HttpRule.get('/a%2Fb'), 'without percent-encoding'],
    ['a double slash', HttpRule.get('/a//b'), 'without "//"'],
    ['a dot-dot segment', HttpRule.get('/a/../b'), 'without "." or ".." segments'],
    ['an infix wildcard', HttpRule.get('/a/*/b'), 'at the very end'],
    ['a space', HttpRule.get('/a b'), 'printable URL path characters'],
    ['a lower-case method', HttpRule.method('get', '/a'), 'an upper-case HTTP method'],
  ])('rejects %s', (_, rule, expected) => {
    expect(rule._problems.map(p => p.expected).join(' | ')).toContain(expected);
  });
});
