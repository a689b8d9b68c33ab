import { stringClasses } from './request-classes';
import {
  canonicalDnsName, describeDnsNamePattern, displayDnsName, DNS_LABEL_CHARS, DNS_NAME_SPACE, dnsNameMatches, DnsNamePattern,
} from '../ir/dns-name';

/**
 * A class of DNS names no pattern of the input tells apart: every name of it matches exactly the
 * same patterns (at least one).
 */
export interface DnsNameClass {
  /** 1-based: name class 0 stands for "no name any pattern matches" (an address reached without a name). */
  readonly index: number;
  /** One name of the class, canonical (lower case, trailing dot): the shortest. */
  readonly example: string;
  /** `names matching *.example.com except api.example.com (e.g. a.example.com)`. */
  readonly description: string;
  /** The patterns (`DnsNameClasses.patterns`) its names match. */
  readonly matches: readonly boolean[];
}

/**
 * The DNS names of the input cut into classes by every `toFQDNs` pattern (docs/ANALYSIS.md, "DNS
 * names"): each pattern is a regular language over canonical names (`ir/dns-name.ts`), and the
 * classes are the combinations of patterns some name of `DNS_NAME_SPACE` realizes, derived by
 * exploring the product of their automata (`stringClasses`, as request classes are): sets, never
 * samples. The names no pattern matches are decided as an address without a name, and are name
 * class 0.
 */
export class DnsNameClasses {
  /**
   * Derives the classes of these patterns (duplicates by meaning are merged).
   * @throws AnalysisInputError when the patterns combine into more automaton states than the bound
   */
  public static derive(patterns: Iterable<DnsNamePattern>): DnsNameClasses {
    const distinct = new Map<string, DnsNamePattern>();
    for (const pattern of patterns) {
      if (!distinct.has(pattern.regex)) distinct.set(pattern.regex, pattern);
    }
    return new DnsNameClasses([...distinct.values()].sort((a, b) => (a.regex < b.regex ? -1 : a.regex > b.regex ? 1 : 0)));
  }

  /** The named classes; `classes[i].index === i + 1`. */
  public readonly classes: readonly DnsNameClass[];
  private readonly bySignature = new Map<string, number>();
  private readonly byRegex = new Map<string, number>();

  private constructor(public readonly patterns: readonly DnsNamePattern[]) {
    patterns.forEach((pattern, k) => this.byRegex.set(pattern.regex, k));
    if (patterns.length === 0) {
      this.classes = [];
      return;
    }
    const found = stringClasses('DNS name', [DNS_NAME_SPACE, ...patterns.map((p) => p.regex)].map((value) => ({ kind: 'regex' as const, value })),
      `${DNS_LABEL_CHARS}.`)
      .filter((c) => c.signature[0] && c.signature.slice(1).some((v) => v))
      .map((c) => ({ matches: c.signature.slice(1), example: c.example }));
    this.classes = found.map((c, i) => ({ index: i + 1, example: c.example, matches: c.matches, description: describe(c.matches, found, patterns) }));
    this.classes.forEach((c) => this.bySignature.set(signatureKey(c.matches), c.index));
  }

  /** The name class of a canonical name: 0 when it matches no pattern. */
  public classOf(canonicalName: string): number {
    const name = canonicalDnsName(canonicalName);
    if (name === undefined) return 0;
    const signature = this.patterns.map((pattern) => dnsNameMatches(pattern, name));
    return this.bySignature.get(signatureKey(signature)) ?? 0;
  }

  /** The name classes (1-based) whose names match the pattern. */
  public classesMatching(pattern: DnsNamePattern): number[] {
    const k = this.byRegex.get(pattern.regex);
    if (k === undefined) {
      throw new Error(`DNS name pattern ${pattern.written} is not part of this partition (a bug: collect every dnsName peer of the input)`);
    }
    return this.classes.filter((c) => c.matches[k]).map((c) => c.index);
  }
}

function signatureKey(signature: readonly boolean[]): string {
  return signature.map((v) => (v ? '1' : '0')).join('');
}

/**
 * A class in words: the narrowest patterns its names match, except the patterns they do not match
 * that some name matching all of those does (the ones that cut the class out), and an example.
 */
function describe(matches: readonly boolean[], all: readonly { matches: readonly boolean[] }[], patterns: readonly DnsNamePattern[]): string {
  // a ⊆ b iff no class has a without b.
  const subset = (a: number, b: number) => all.every((c) => !c.matches[a] || c.matches[b]);
  const positives = matches.flatMap((v, k) => (v ? [k] : []));
  const narrow = positives.filter((a) => !positives.some((b) => b !== a && subset(b, a) && (!subset(a, b) || b < a)));
  const region = all.filter((c) => positives.every((k) => c.matches[k]));
  const overlapping = matches.flatMap((v, k) => (!v && region.some((c) => c.matches[k]) ? [k] : []));
  const negatives = overlapping.filter((a) => !overlapping.some((b) => b !== a && subset(a, b) && (!subset(b, a) || b < a)));
  const label = (k: number) => describeDnsNamePattern(patterns[k]);
  const base = `dns ${narrow.map(label).join(' and ')}`;
  return negatives.length === 0 ? base : `${base} except ${negatives.map(label).join(', ')}`;
}

/** The class description with its example (`dns *.example.com (e.g. a.example.com)`). */
export function dnsNameClassLabel(c: DnsNameClass): string {
  return c.description.includes('*') || c.description.includes(' except ') ? `${c.description} (e.g. ${displayDnsName(c.example)})` : c.description;
}
