/* eslint-disable no-bitwise -- the dense form of a class set is a bit set. */

/**
 * A set of endpoint classes (pod groups and external address classes, numbered 0..size-1), immutable
 * and interned by its `ClassSetTable`: two equal sets are the same object, so equality is identity and
 * results of operations on large sets can be memoized by id.
 *
 * Policies name endpoints either very selectively (one workload, one namespace) or almost all of them
 * (every pod, 0.0.0.0/0), so a set is stored in whichever form is small: the sorted members (`list`),
 * the sorted non-members (`co`), or a bit set (`bits`) when it is neither small nor nearly full. The
 * form is canonical (it follows from the size alone), so equal sets have equal forms.
 */
export class ClassSet {
  /** @internal */
  constructor(
    public readonly table: ClassSetTable,
    public readonly id: number,
    /** `list`: members; `co`: non-members; `bits`: a bit set (`items` unused). */
    public readonly form: 'list' | 'co' | 'bits',
    /** Sorted members (`list`) or non-members (`co`). */
    public readonly items: Int32Array,
    public readonly words: Uint32Array | undefined,
    /** Number of members. */
    public readonly count: number,
  ) {}

  public isEmpty(): boolean {
    return this.count === 0;
  }

  public isFull(): boolean {
    return this.count === this.table.size;
  }

  public has(index: number): boolean {
    switch (this.form) {
      case 'list':
        return binarySearch(this.items, index);
      case 'co':
        return index >= 0 && index < this.table.size && !binarySearch(this.items, index);
      case 'bits':
        return ((this.words as Uint32Array)[index >>> 5] & (1 << (index & 31))) !== 0;
    }
  }

  public union(other: ClassSet): ClassSet {
    return this.table.union(this, other);
  }

  public intersect(other: ClassSet): ClassSet {
    return this.table.intersect(this, other);
  }

  public subtract(other: ClassSet): ClassSet {
    return this.table.subtract(this, other);
  }

  public complement(): ClassSet {
    return this.table.complement(this);
  }

  /** Calls `visit` with every member, ascending. */
  public forEach(visit: (index: number) => void): void {
    const size = this.table.size;
    switch (this.form) {
      case 'list':
        this.items.forEach((index) => visit(index));
        return;
      case 'co': {
        let next = 0;
        for (const excluded of this.items) {
          for (let i = next; i < excluded; i++) {
            visit(i);
          }
          next = excluded + 1;
        }
        for (let i = next; i < size; i++) {
          visit(i);
        }
        return;
      }
      case 'bits': {
        const words = this.words as Uint32Array;
        for (let w = 0; w < words.length; w++) {
          let word = words[w];
          while (word !== 0) {
            const bit = 31 - Math.clz32(word & -word);
            visit(w * 32 + bit);
            word &= word - 1;
          }
        }
      }
    }
  }

  /** The members, ascending. */
  public toArray(): number[] {
    const members: number[] = [];
    this.forEach((index) => members.push(index));
    return members;
  }

  /** The first member, or undefined when empty. */
  public first(): number | undefined {
    if (this.isEmpty()) {
      return undefined;
    }
    switch (this.form) {
      case 'list':
        return this.items[0];
      case 'co': {
        let candidate = 0;
        for (const excluded of this.items) {
          if (excluded !== candidate) {
            break;
          }
          candidate++;
        }
        return candidate;
      }
      case 'bits': {
        const words = this.words as Uint32Array;
        let w = 0;
        while (words[w] === 0) {
          w++;
        }
        return w * 32 + (31 - Math.clz32(words[w] & -words[w]));
      }
    }
  }

  /** True if `test` holds for some member (stops at the first). */
  public someMember(test: (index: number) => boolean): boolean {
    if (this.form === 'list') {
      for (const index of this.items) {
        if (test(index)) {
          return true;
        }
      }
      return false;
    }
    let found = false;
    this.forEachUntil((index) => {
      found = test(index);
      return found;
    });
    return found;
  }

  /** Calls `visit` with members, ascending, until it returns true. */
  private forEachUntil(visit: (index: number) => boolean): void {
    const size = this.table.size;
    if (this.form === 'co') {
      let next = 0;
      for (const excluded of [...this.items, size]) {
        for (let i = next; i < excluded; i++) {
          if (visit(i)) return;
        }
        next = excluded + 1;
      }
      return;
    }
    const words = this.words as Uint32Array;
    for (let w = 0; w < words.length; w++) {
      let word = words[w];
      while (word !== 0) {
        if (visit(w * 32 + (31 - Math.clz32(word & -word)))) return;
        word &= word - 1;
      }
    }
  }
}

/**
 * Creates and interns the class sets over one universe of `size` classes, and memoizes operations
 * on sets that are not small lists (those are cheap to recompute).
 */
export class ClassSetTable {
  public readonly empty: ClassSet;
  public readonly all: ClassSet;
  /** The classes below `split` (pod groups, in a universe) and from it on (external classes). */
  public readonly lower: ClassSet;
  public readonly upper: ClassSet;
  /**
   * Interned sets by content hash, held weakly: an estate creates millions of intermediate sets, and
   * keeping every one alive makes the garbage collector scan them all again and again. A live set
   * is always found, so two equal live sets are still one object.
   */
  private readonly byHash = new Map<number, WeakRef<ClassSet>[]>();
  private readonly collected = new FinalizationRegistry<number>((hash) => this.prune(hash));
  /** Results of operations on two sets that are not small lists, by operation and operand ids (bounded). */
  private readonly memo = new Map<number, Map<number, ClassSet>>();
  private memoCount = 0;
  private readonly threshold: number;
  private readonly wordCount: number;
  private nextId = 0;

  /**
   * @param size the number of classes
   * @param split where the classes fall into two kinds that maps keep apart (see `normalizeMap`)
   */
  constructor(public readonly size: number, public readonly split: number = size) {
    // A list or co-list of up to `threshold` items is never larger than the bit set (size / 32 words).
    this.threshold = Math.max(8, size >>> 5);
    this.wordCount = (size + 31) >>> 5;
    this.empty = this.fromSorted(new Int32Array(0));
    this.all = this.range(0, size);
    this.lower = this.range(0, split);
    this.upper = this.range(split, size);
  }

  /** The set of these indices (any order, duplicates allowed; each must be in 0..size-1). */
  public of(indices: Iterable<number>): ClassSet {
    const sorted = Int32Array.from(new Set(indices)).sort();
    return this.fromSorted(sorted);
  }

  /** The set of these distinct indices (any order). */
  public ofDistinct(indices: readonly number[]): ClassSet {
    return this.fromSorted(Int32Array.from(indices).sort());
  }

  /** The set of the indices from `start` (inclusive) to `end` (exclusive). */
  public range(start: number, end: number): ClassSet {
    if (end <= start) {
      return this.empty;
    }
    const count = end - start;
    if (count <= this.threshold) {
      return this.fromSorted(Int32Array.from({ length: count }, (_, i) => start + i));
    }
    const words = new Uint32Array(this.wordCount);
    for (let i = start; i < end; i++) {
      words[i >>> 5] |= 1 << (i & 31);
    }
    return this.fromWords(words);
  }

  public union(a: ClassSet, b: ClassSet): ClassSet {
    if (a === b || b.isEmpty() || a.isFull()) {
      return a;
    }
    if (a.isEmpty() || b.isFull()) {
      return b;
    }
    return this.memoized('u', a, b, () => {
      if (a.form === 'list' && b.form === 'list') {
        return this.fromSorted(mergeUnion(a.items, b.items));
      }
      if (a.form === 'list' || b.form === 'list') {
        const [small, other] = a.form === 'list' ? [a, b] : [b, a];
        if (other.form === 'co') {
          return this.fromCo(filterSorted(other.items, (index) => !binarySearch(small.items, index)));
        }
        const words = (other.words as Uint32Array).slice();
        small.items.forEach((index) => {
          words[index >>> 5] |= 1 << (index & 31);
        });
        return this.fromWords(words);
      }
      if (a.form === 'co' && b.form === 'co') {
        return this.fromCo(mergeIntersection(a.items, b.items));
      }
      if (a.form === 'co' || b.form === 'co') {
        const [co, bits] = a.form === 'co' ? [a, b] : [b, a];
        return this.fromCo(filterSorted(co.items, (index) => !bits.has(index)));
      }
      const words = (a.words as Uint32Array).slice();
      const other = b.words as Uint32Array;
      for (let i = 0; i < words.length; i++) {
        words[i] |= other[i];
      }
      return this.fromWords(words);
    });
  }

  public intersect(a: ClassSet, b: ClassSet): ClassSet {
    if (a === b || b.isFull() || a.isEmpty()) {
      return a;
    }
    if (b.isEmpty() || a.isFull()) {
      return b;
    }
    return this.memoized('i', a, b, () => {
      if (a.form === 'list' || b.form === 'list') {
        const [small, other] = a.form === 'list' && (b.form !== 'list' || a.count <= b.count) ? [a, b] : [b, a];
        return this.fromSorted(filterSorted(small.items, (index) => other.has(index)));
      }
      if (a.form === 'co' && b.form === 'co') {
        return this.fromCo(mergeUnion(a.items, b.items));
      }
      if (a.form === 'co' || b.form === 'co') {
        const [co, bits] = a.form === 'co' ? [a, b] : [b, a];
        const words = (bits.words as Uint32Array).slice();
        co.items.forEach((index) => {
          words[index >>> 5] &= ~(1 << (index & 31));
        });
        return this.fromWords(words);
      }
      const words = (a.words as Uint32Array).slice();
      const other = b.words as Uint32Array;
      for (let i = 0; i < words.length; i++) {
        words[i] &= other[i];
      }
      return this.fromWords(words);
    });
  }

  public subtract(a: ClassSet, b: ClassSet): ClassSet {
    if (a.isEmpty() || b.isEmpty()) {
      return a;
    }
    if (a === b || b.isFull()) {
      return this.empty;
    }
    if (a.form === 'list') {
      return this.fromSorted(filterSorted(a.items, (index) => !b.has(index)));
    }
    return this.intersect(a, this.complement(b));
  }

  public complement(a: ClassSet): ClassSet {
    switch (a.form) {
      case 'list':
        return this.fromCo(a.items);
      case 'co':
        return this.fromSorted(a.items);
      case 'bits':
        return this.memoized('c', a, a, () => {
          const words = (a.words as Uint32Array).map((word) => ~word >>> 0);
          const extra = this.wordCount * 32 - this.size;
          if (extra > 0) {
            words[words.length - 1] &= 0xffffffff >>> extra;
          }
          return this.fromWords(words);
        });
    }
  }

  private memoized(op: 'u' | 'i' | 'c', a: ClassSet, b: ClassSet, compute: () => ClassSet): ClassSet {
    if (a.form === 'list' || b.form === 'list') {
      return compute();
    }
    // Ids are never reused, so (operation, a, b) names one result for as long as it is kept.
    const first = a.id * 3 + (op === 'u' ? 0 : op === 'i' ? 1 : 2);
    let byB = this.memo.get(first);
    let result = byB?.get(b.id);
    if (!result) {
      if (this.memoCount > 200_000) {
        this.memo.clear(); // bounded: a cache, not a store
        this.memoCount = 0;
        byB = undefined;
      }
      result = compute();
      if (!byB) {
        byB = new Map();
        this.memo.set(first, byB);
      }
      byB.set(b.id, result);
      this.memoCount++;
    }
    return result;
  }

  private prune(hash: number): void {
    const bucket = this.byHash.get(hash);
    if (bucket) {
      const live = bucket.filter((ref) => ref.deref() !== undefined);
      if (live.length === 0) {
        this.byHash.delete(hash);
      } else {
        this.byHash.set(hash, live);
      }
    }
  }

  /** The canonical set of these sorted, distinct members. */
  private fromSorted(members: Int32Array): ClassSet {
    const count = members.length;
    if (count <= this.threshold) {
      return this.intern('list', members, undefined, count);
    }
    if (this.size - count <= this.threshold) {
      return this.intern('co', complementOf(members, this.size), undefined, count);
    }
    const words = new Uint32Array(this.wordCount);
    members.forEach((index) => {
      words[index >>> 5] |= 1 << (index & 31);
    });
    return this.intern('bits', new Int32Array(0), words, count);
  }

  /** The canonical set of everything but these sorted, distinct non-members. */
  private fromCo(excluded: Int32Array): ClassSet {
    const count = this.size - excluded.length;
    if (excluded.length <= this.threshold && count > this.threshold) {
      return this.intern('co', excluded, undefined, count);
    }
    return this.fromSorted(complementOf(excluded, this.size));
  }

  private fromWords(words: Uint32Array): ClassSet {
    let count = 0;
    for (const word of words) {
      count += popcount(word);
    }
    if (count <= this.threshold || this.size - count <= this.threshold) {
      const members = new Int32Array(count);
      let n = 0;
      for (let w = 0; w < words.length; w++) {
        let word = words[w];
        while (word !== 0) {
          members[n++] = w * 32 + (31 - Math.clz32(word & -word));
          word &= word - 1;
        }
      }
      return this.fromSorted(members);
    }
    return this.intern('bits', new Int32Array(0), words, count);
  }

  private intern(form: ClassSet['form'], items: Int32Array, words: Uint32Array | undefined, count: number): ClassSet {
    const hash = hashOf(form, items, words);
    const bucket = this.byHash.get(hash);
    if (bucket) {
      for (const ref of bucket) {
        const candidate = ref.deref();
        if (candidate && candidate.form === form && sameArray(candidate.items, items) && sameWords(candidate.words, words)) {
          return candidate;
        }
      }
    }
    const set = new ClassSet(this, this.nextId++, form, items, words, count);
    const ref = new WeakRef(set);
    if (bucket) {
      bucket.push(ref);
    } else {
      this.byHash.set(hash, [ref]);
    }
    this.collected.register(set, hash);
    return set;
  }
}

function binarySearch(sorted: Int32Array, value: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = sorted[mid];
    if (at === value) {
      return true;
    }
    if (at < value) {
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return false;
}

function mergeUnion(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) {
      out[n++] = a[i++];
    } else if (i >= a.length || b[j] < a[i]) {
      out[n++] = b[j++];
    } else {
      out[n++] = a[i++];
      j++;
    }
  }
  return out.slice(0, n);
}

function mergeIntersection(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(Math.min(a.length, b.length));
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    if (a[i] < b[j]) {
      i++;
    } else if (b[j] < a[i]) {
      j++;
    } else {
      out[n++] = a[i++];
      j++;
    }
  }
  return out.slice(0, n);
}

function filterSorted(items: Int32Array, keep: (index: number) => boolean): Int32Array {
  const out = new Int32Array(items.length);
  let n = 0;
  for (const index of items) {
    if (keep(index)) {
      out[n++] = index;
    }
  }
  return n === items.length ? items : out.slice(0, n);
}

function complementOf(sorted: Int32Array, size: number): Int32Array {
  const out = new Int32Array(size - sorted.length);
  let n = 0;
  let next = 0;
  for (const index of sorted) {
    for (let i = next; i < index; i++) {
      out[n++] = i;
    }
    next = index + 1;
  }
  for (let i = next; i < size; i++) {
    out[n++] = i;
  }
  return out;
}

function popcount(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

function hashOf(form: ClassSet['form'], items: Int32Array, words: Uint32Array | undefined): number {
  let hash = form === 'list' ? 0x811c9dc5 : form === 'co' ? 0x01000193 : 0x2545f491;
  const mix = (value: number) => {
    hash ^= value;
    hash = Math.imul(hash, 0x01000193);
  };
  items.forEach(mix);
  words?.forEach(mix);
  return hash >>> 0;
}

function sameArray(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}

function sameWords(a: Uint32Array | undefined, b: Uint32Array | undefined): boolean {
  if (a === undefined || b === undefined) {
    return a === b;
  }
  if (a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}
