import { describeSelector, matchesSelector, SelectorExpr, selectorFromLabelSelector, selectorKey } from '../../../src/analysis';

describe('selectors', () => {
  const labels = { app: 'web', tier: 'front' };

  test.each([
    [{ op: 'in', key: 'app', values: ['web', 'api'] }, true],
    [{ op: 'in', key: 'missing', values: ['web'] }, false],
    [{ op: 'notIn', key: 'app', values: ['web'] }, false],
    [{ op: 'notIn', key: 'missing', values: ['web'] }, true],
    [{ op: 'exists', key: 'tier' }, true],
    [{ op: 'exists', key: 'missing' }, false],
    [{ op: 'doesNotExist', key: 'missing' }, true],
    [{ op: 'doesNotExist', key: 'app' }, false],
    [{ op: 'and', terms: [] }, true],
    [{ op: 'or', terms: [] }, false],
    [{ op: 'or', terms: [{ op: 'exists', key: 'missing' }, { op: 'exists', key: 'app' }] }, true],
    [{ op: 'not', term: { op: 'exists', key: 'app' } }, false],
    [{ op: 'all' }, true],
  ] as [SelectorExpr, boolean][])('%j matches {app: web, tier: front}: %s', (selector, expected) => {
    expect(matchesSelector(selector, labels)).toBe(expected);
  });

  test('never mistakes inherited object properties for labels', () => {
    expect(matchesSelector({ op: 'exists', key: 'constructor' }, {})).toBe(false);
    expect(matchesSelector({ op: 'doesNotExist', key: 'toString' }, {})).toBe(true);
  });

  test('translates a Kubernetes selector into an AND of its requirements, and an empty one into all', () => {
    expect(selectorFromLabelSelector({}, [])).toEqual({ op: 'all' });
    expect(selectorFromLabelSelector({ app: 'web' }, undefined)).toEqual({ op: 'in', key: 'app', values: ['web'] });
    expect(selectorFromLabelSelector({ app: 'web' }, [{ key: 'tier', operator: 'DoesNotExist' }])).toEqual({
      op: 'and', terms: [{ op: 'in', key: 'app', values: ['web'] }, { op: 'doesNotExist', key: 'tier' }],
    });
  });

  test('gives equal keys to selectors that differ only in order', () => {
    const a = selectorFromLabelSelector({ app: 'web', tier: 'front' }, [{ key: 'env', operator: 'In', values: ['b', 'a'] }]);
    const b = selectorFromLabelSelector({ tier: 'front' }, [{ key: 'env', operator: 'In', values: ['a', 'b'] }, { key: 'app', operator: 'In', values: ['web'] }]);
    expect(selectorKey(a)).toBe(selectorKey(b));
    expect(selectorKey(a)).not.toBe(selectorKey(selectorFromLabelSelector({ app: 'web' }, undefined)));
  });

  test('describes selectors the way kubectl writes them', () => {
    expect(describeSelector(selectorFromLabelSelector({ app: 'web' }, [
      { key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'env', operator: 'NotIn', values: ['dev'] }, { key: 'legacy', operator: 'DoesNotExist' }, { key: 'team', operator: 'Exists' },
    ]))).toBe('app=web, tier in (a, b), env!=dev, !legacy, team');
    expect(describeSelector({ op: 'all' })).toBe('all');
  });
});
