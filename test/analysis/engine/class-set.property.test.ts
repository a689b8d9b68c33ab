import * as fc from 'fast-check';
import { ClassSetTable } from '../../../src/analysis/engine/class-set';

// Class sets take three forms (members, non-members, bits) chosen by size; every operation must
// give what plain sets give, whatever the forms of its operands, and equal sets must be one object.

const universe = fc.integer({ min: 1, max: 300 });

function members(size: number): fc.Arbitrary<number[]> {
  // Small, large and middle-sized sets, so that every form and every pair of forms occurs.
  return fc.oneof(
    fc.array(fc.integer({ min: 0, max: size - 1 }), { maxLength: 12 }),
    fc.array(fc.integer({ min: 0, max: size - 1 }), { maxLength: 12 })
      .map((out) => Array.from({ length: size }, (_, i) => i).filter((i) => !out.includes(i))),
    fc.array(fc.boolean(), { minLength: size, maxLength: size }).map((bits) => bits.flatMap((bit, i) => (bit ? [i] : []))),
  );
}

const sorted = (values: Iterable<number>) => [...new Set(values)].sort((a, b) => a - b);

describe('class sets', () => {
  test('union, intersection, difference and complement equal those of plain sets, and equal sets are identical', () => {
    fc.assert(fc.property(universe.chain((size) => fc.tuple(fc.constant(size), members(size), members(size))), ([size, a, b]) => {
      const table = new ClassSetTable(size);
      const x = table.of(a);
      const y = table.of(b);
      const all = Array.from({ length: size }, (_, i) => i);
      expect(x.toArray()).toEqual(sorted(a));
      expect(x.count).toBe(new Set(a).size);
      expect(x.union(y).toArray()).toEqual(sorted([...a, ...b]));
      expect(x.intersect(y).toArray()).toEqual(sorted(a.filter((i) => b.includes(i))));
      expect(x.subtract(y).toArray()).toEqual(sorted(a.filter((i) => !b.includes(i))));
      expect(x.complement().toArray()).toEqual(all.filter((i) => !a.includes(i)));
      expect(all.filter((i) => x.has(i))).toEqual(sorted(a));
      expect(x.has(-1) || x.has(size)).toBe(false);
      expect(table.of([...a].reverse())).toBe(x);
      expect(table.ofDistinct([...new Set(a)].reverse())).toBe(x);
      expect(x.union(y)).toBe(table.of([...a, ...b]));
      expect(x.first()).toBe(sorted(a)[0]);
      expect(x.someMember((i) => b.includes(i))).toBe(a.some((i) => b.includes(i)));
    }), { numRuns: 500 });
  });

  test('ranges and the full and empty sets are canonical', () => {
    const table = new ClassSetTable(100);
    expect(table.range(0, 100)).toBe(table.all);
    expect(table.range(5, 5)).toBe(table.empty);
    expect(table.range(10, 60).toArray()).toEqual(Array.from({ length: 50 }, (_, i) => i + 10));
    expect(table.all.isFull()).toBe(true);
    expect(table.empty.isEmpty()).toBe(true);
    expect(table.all.complement()).toBe(table.empty);
  });
});
