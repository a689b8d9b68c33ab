import {
  Alias, Document, isAlias, isMap, isScalar, isSeq, LineCounter, Node, parseAllDocuments, Scalar, YAMLMap, YAMLSeq,
} from 'yaml';
import { GoYamlScalar, resolvePlainScalar, scalarJsonValue, scalarKeyString } from './go-yaml-scalar';
import { MAX_NESTING_DEPTH } from './input-limits';

/** A problem in one YAML document: its 1-based index, the position, what is wrong. */
export class GoYamlError extends Error {
  constructor(readonly document: number, readonly line: number | undefined, readonly column: number | undefined, readonly problem: string) {
    super(problem);
    this.name = 'GoYamlError';
  }
}

const TAG = 'tag:yaml.org,2002:';

/**
 * Reads a YAML stream into the JSON values kubectl sends to the API server (see `go-yaml-scalar.ts`
 * for the scalar rules): the `yaml` library parses the syntax with its failsafe schema (every scalar
 * a string, with its style and tag kept), and this reader resolves plain scalars, keys, merge keys
 * (`<<`, go-yaml v2 `decode.go` `merge`), aliases (with go-yaml's alias-expansion budget) and the
 * standard tags `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!map`, `!!seq`.
 *
 * Mappings become null-prototype objects, so keys such as `__proto__` and `constructor` are plain
 * own keys. Refused with a `GoYamlError` (never read differently from kubectl): a key given twice
 * (after resolution: `80` and `0120` are the same key; kubectl would silently keep the last one),
 * null or collection keys, NaN and infinities (kubectl fails), other tags, self-referencing
 * anchors, excessive aliasing, and nesting deeper than `MAX_NESTING_DEPTH`.
 */
export function readGoYaml(text: string): unknown[] {
  const documents = parseAllDocuments(text, { schema: 'failsafe', uniqueKeys: false, prettyErrors: false, logLevel: 'silent', merge: false });
  const docs = Array.isArray(documents) ? documents : [documents];
  let lineCounter: LineCounter | undefined;
  const position = (offset: number | undefined): { line?: number; column?: number } => {
    if (offset === undefined) return {};
    // Positions are only computed on failure: a line counter slows every successful parse.
    if (!lineCounter) {
      lineCounter = new LineCounter();
      parseAllDocuments(text, { lineCounter, schema: 'failsafe', logLevel: 'silent' });
    }
    const at = lineCounter.linePos(offset);
    return { line: at.line, column: at.col };
  };
  return docs.map((doc, i) => {
    const error = doc.errors[0];
    if (error) {
      const at = position(error.pos[0]);
      throw new GoYamlError(i + 1, at.line, at.column, `invalid YAML: ${error.message.split('\n')[0]}`);
    }
    return new DocumentReader(doc, i + 1, position).read();
  });
}

class DocumentReader {
  private decodeCount = 0;
  private aliasCount = 0;
  private aliasDepth = 0;
  private readonly activeAliases = new Set<Alias>();

  constructor(
    private readonly doc: Document.Parsed,
    private readonly index: number,
    private readonly position: (offset: number | undefined) => { line?: number; column?: number },
  ) {}

  public read(): unknown {
    return this.value(this.doc.contents, 0);
  }

  private fail(node: Node | null | undefined, problem: string): never {
    const at = this.position(node?.range?.[0]);
    throw new GoYamlError(this.index, at.line, at.column, problem);
  }

  /** go-yaml's decode counter and alias budget (`decode.go` `unmarshal`, `allowedAliasRatio`). */
  private count(node: Node | null | undefined): void {
    this.decodeCount++;
    if (this.aliasDepth > 0) this.aliasCount++;
    if (this.aliasCount > 100 && this.decodeCount > 1000 && this.aliasCount / this.decodeCount > allowedAliasRatio(this.decodeCount)) {
      this.fail(node, 'the document contains excessive aliasing (go-yaml refuses it); expand the aliases');
    }
  }

  private value(node: Node | null | undefined, depth: number): unknown {
    if (depth > MAX_NESTING_DEPTH) this.fail(node, `nested deeper than ${MAX_NESTING_DEPTH} levels`);
    this.count(node);
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return this.alias(node, (target) => this.value(target, depth + 1));
    if (isScalar(node)) {
      const resolved = this.scalar(node);
      if (resolved.kind === 'merge') return '<<';
      const json = scalarJsonValue(resolved);
      if ('problem' in json) this.fail(node, `${JSON.stringify(node.source ?? String(node.value))}: ${json.problem}`);
      return json.value;
    }
    if (isMap(node)) {
      this.checkCollectionTag(node, 'map');
      const out = Object.create(null) as Record<string, unknown>;
      this.fillMapping(node, out, depth, new Set());
      return out;
    }
    if (isSeq(node)) {
      this.checkCollectionTag(node, 'seq');
      return node.items.map((item) => this.value(item as Node | null, depth + 1));
    }
    return this.fail(node, 'unsupported YAML node');
  }

  private alias<T>(node: Alias, read: (target: Node) => T): T {
    if (this.activeAliases.has(node)) this.fail(node, `anchor '${node.source}' value contains itself`);
    const target = node.resolve(this.doc);
    if (!target) this.fail(node, `unknown anchor '${node.source}' referenced`);
    this.activeAliases.add(node);
    this.aliasDepth++;
    try {
      return read(target);
    } finally {
      this.aliasDepth--;
      this.activeAliases.delete(node);
    }
  }

  private checkCollectionTag(node: YAMLMap | YAMLSeq, expected: 'map' | 'seq'): void {
    if (node.tag !== undefined && node.tag !== `${TAG}${expected}`) {
      this.fail(node, `the tag ${shortTag(node.tag)} is not read by the analyzer; remove it`);
    }
  }

  /**
   * Adds a mapping's pairs to `out` in order, as go-yaml v2 does: a merge key's maps are written
   * where the key stands (so they override the keys before it, and the keys after it override
   * them), a sequence of maps last to first. `explicit` holds the keys written in this mapping,
   * which may not repeat.
   */
  private fillMapping(node: YAMLMap, out: Record<string, unknown>, depth: number, explicit: Set<string>): void {
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const valueNode = pair.value as Node | null;
      this.count(keyNode);
      const key = this.key(keyNode);
      if (key === undefined) {
        this.merge(valueNode, out, depth);
        continue;
      }
      if (explicit.has(key)) {
        this.fail(keyNode ?? node, `the key ${JSON.stringify(key)} is given twice in one mapping (kubectl would silently keep the last one); remove one`);
      }
      explicit.add(key);
      out[key] = this.value(valueNode, depth + 1);
    }
  }

  private merge(node: Node | null, out: Record<string, unknown>, depth: number): void {
    const wantMap = (at: Node | null): never => this.fail(at, 'the merge key << needs a mapping or a sequence of mappings as its value');
    const mergeMap = (map: Node): void => {
      this.count(map);
      this.fillMapping(map as YAMLMap, out, depth + 1, new Set());
    };
    const one = (item: Node | null): void => {
      if (isAlias(item)) {
        this.count(item);
        this.alias(item, (target) => (isMap(target) ? mergeMap(target) : wantMap(item)));
      } else if (isMap(item)) {
        mergeMap(item);
      } else {
        wantMap(item);
      }
    };
    if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) one(node.items[i] as Node | null); // earlier maps take precedence
    } else {
      one(node);
    }
  }

  /** A key's JSON text, or undefined for the merge key. */
  private key(node: Node | null): string | undefined {
    if (isAlias(node)) {
      return this.alias(node, (target) => {
        if (!isScalar(target)) this.fail(node, 'a mapping or sequence cannot be a key (go-yaml: "invalid map key")');
        const key = this.scalarKey(target);
        return key ?? '<<';
      });
    }
    if (node !== null && !isScalar(node)) this.fail(node, 'a mapping or sequence cannot be a key (go-yaml: "invalid map key")');
    return this.scalarKey(node);
  }

  private scalarKey(node: Scalar | null): string | undefined {
    const resolved = node === null ? resolvePlainScalar('') : this.scalar(node);
    if (resolved.kind === 'merge') return undefined;
    const key = scalarKeyString(resolved);
    if ('problem' in key) this.fail(node, `key ${JSON.stringify(node?.source ?? '')}: ${key.problem}`);
    return key.key;
  }

  /** A scalar resolved as go-yaml's `decode.go` `scalar` does: plain scalars by value, quoted ones are strings, tags by tag. */
  private scalar(node: Scalar): GoYamlScalar {
    const text = String(node.value);
    if (node.tag === undefined) {
      return node.type === Scalar.PLAIN ? resolvePlainScalar(text) : { kind: 'string', value: text };
    }
    const tag = node.tag.startsWith(TAG) ? node.tag.slice(TAG.length) : undefined;
    if (tag === 'str') return { kind: 'string', value: text };
    const resolved = resolvePlainScalar(text);
    const accepted = tag === 'int' ? ['int', 'uint'] : tag === 'float' ? ['float', 'int', 'uint'] : tag === 'bool' ? ['bool'] : tag === 'null' ? ['null'] : undefined;
    if (!accepted) this.fail(node, `the tag ${shortTag(node.tag)} is not read by the analyzer; remove it`);
    if (!accepted.includes(resolved.kind)) this.fail(node, `cannot decode ${JSON.stringify(text)} as a !!${tag} (go-yaml refuses it)`);
    return resolved.kind === 'int' || resolved.kind === 'uint' ? (tag === 'float' ? { kind: 'float', value: resolved.value } : resolved) : resolved;
  }
}

function shortTag(tag: string): string {
  return tag.startsWith(TAG) ? `!!${tag.slice(TAG.length)}` : tag;
}

function allowedAliasRatio(decodeCount: number): number {
  const low = 400_000;
  const high = 4_000_000;
  if (decodeCount <= low) return 0.99;
  if (decodeCount >= high) return 0.10;
  return 0.99 - 0.89 * ((decodeCount - low) / (high - low));
}
