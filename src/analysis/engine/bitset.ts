/* eslint-disable no-bitwise -- a bit set is bit manipulation; this file is the one place that does it. */

/** A fixed-size set of small integers (group indices), 32 per word. */
export class Bitset {
  /** A set containing 0..size-1. */
  public static full(size: number): Bitset {
    const set = new Bitset(size);
    set.words.fill(0xffffffff);
    set.clearTail();
    return set;
  }

  public readonly words: Uint32Array;

  constructor(public readonly size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
  }

  public has(index: number): boolean {
    return (this.words[index >>> 5] & (1 << (index & 31))) !== 0;
  }

  public add(index: number): void {
    this.words[index >>> 5] |= 1 << (index & 31);
  }

  /** this ∪= other */
  public or(other: Bitset): void {
    const words = this.words;
    const source = other.words;
    for (let i = 0; i < words.length; i++) {
      words[i] |= source[i];
    }
  }

  /** this ∪= (a ∩ b) */
  public orAnd(a: Bitset, b: Bitset): void {
    const words = this.words;
    for (let i = 0; i < words.length; i++) {
      words[i] |= a.words[i] & b.words[i];
    }
  }

  /** this ∪= (a ∩ b ∩ c) */
  public orAnd3(a: Bitset, b: Bitset, c: Bitset): void {
    const words = this.words;
    for (let i = 0; i < words.length; i++) {
      words[i] |= a.words[i] & b.words[i] & c.words[i];
    }
  }

  /** Calls `visit` with every member, ascending; skips empty words, so sparse sets are cheap. */
  public forEach(visit: (index: number) => void): void {
    const words = this.words;
    for (let i = 0; i < words.length; i++) {
      let word = words[i];
      while (word !== 0) {
        const bit = 31 - Math.clz32(word & -word);
        visit(i * 32 + bit);
        word &= word - 1;
      }
    }
  }

  /** this \= other */
  public andNot(other: Bitset): void {
    const words = this.words;
    for (let i = 0; i < words.length; i++) {
      words[i] &= ~other.words[i];
    }
  }

  /** this ∩= other */
  public and(other: Bitset): void {
    const words = this.words;
    for (let i = 0; i < words.length; i++) {
      words[i] &= other.words[i];
    }
  }

  public isEmpty(): boolean {
    const words = this.words;
    for (let i = 0; i < words.length; i++) {
      if (words[i] !== 0) {
        return false;
      }
    }
    return true;
  }

  /** this = a ∩ b (reuses this set's memory) */
  public assignAnd(a: Bitset, b: Bitset): void {
    const words = this.words;
    for (let i = 0; i < words.length; i++) {
      words[i] = a.words[i] & b.words[i];
    }
  }

  public clone(): Bitset {
    const copy = new Bitset(this.size);
    copy.words.set(this.words);
    return copy;
  }

  private clearTail(): void {
    const extra = this.words.length * 32 - this.size;
    if (extra > 0) {
      this.words[this.words.length - 1] >>>= extra;
    }
  }
}
