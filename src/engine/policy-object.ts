import { ApiObject, ApiObjectProps, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';

/**
 * A rendered policy object. cdk8s serializes an `ApiObject` with a sanitizer
 * that tells plain objects from class instances by `obj.constructor.name`, so
 * a map with a valid Kubernetes key named `constructor` (a label in a
 * selector) makes it throw — while `app.synth()` is already writing files,
 * after the charts before it were written. Our objects are plain data made by
 * the renderers (no tokens, no lazy values), so this one serializes its own
 * props with a sanitizer that treats every map as data, whatever its keys.
 * Metadata (name, namespace, the chart's labels) and JSON patches still go
 * through cdk8s, so everything cdk8s adds to an object is kept.
 */
export class PolicyObject extends ApiObject {
  /** The intent construct the object was rendered for (it may live in another chart: the other side of an allowance). */
  public readonly intent: Construct;
  private readonly data: Record<string, unknown>;
  private readonly jsonPatches: JsonPatch[] = [];

  constructor(scope: Construct, id: string, props: ApiObjectProps, intent: Construct = scope) {
    super(scope, id, props);
    this.intent = intent;
    const { apiVersion: _v, kind: _k, metadata: _m, ...rest } = props as ApiObjectProps & Record<string, unknown>;
    this.data = rest;
  }

  public addJsonPatch(...ops: JsonPatch[]): void {
    super.addJsonPatch(...ops);
    this.jsonPatches.push(...ops);
  }

  public toJson(): any {
    try {
      const sortKeys = process.env.CDK8S_DISABLE_SORT ? false : true;
      const data = { ...this.data, apiVersion: this.apiVersion, kind: this.kind, metadata: this.metadata.toJson() };
      const json = plainJson(data, sortKeys) as Record<string, unknown>;
      const patched = JsonPatch.apply(json, ...this.jsonPatches);
      // apiVersion, kind and metadata first, as cdk8s orders them.
      const result: Record<string, unknown> = {};
      for (const k of ['apiVersion', 'kind', 'metadata', ...Object.keys(patched)]) {
        if (k in patched && !(k in result)) define(result, k, patched[k]);
      }
      return result;
    } catch (e) {
      throw new Error(`Failed serializing construct at path '${this.node.path}' with name '${this.name}': ${e}`);
    }
  }
}

/**
 * A JSON copy of rendered data: undefined and null fields dropped (as cdk8s
 * does), keys sorted unless `CDK8S_DISABLE_SORT` is set. Every key is data:
 * `constructor`, `toString` or `__proto__` are copied like any other.
 */
export function plainJson(v: unknown, sortKeys: boolean): unknown {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) return v.map(x => plainJson(x, sortKeys));
  if (typeof v !== 'object') return v;
  const keys = Object.keys(v);
  if (sortKeys) keys.sort();
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const x = plainJson((v as Record<string, unknown>)[k], sortKeys);
    if (x !== undefined) define(out, k, x);
  }
  return out;
}

/** Sets an own, enumerable property: plain assignment would set the prototype for `__proto__`. */
function define(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}
