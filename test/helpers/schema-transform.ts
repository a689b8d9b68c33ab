/**
 * In-memory rewrites that make upstream schemas reject what the API server
 * would silently drop. The schema files (imports/schemas) are never modified here.
 */

/** A JSON schema node; the upstream files are untyped, so this stays loose. */
export type SchemaNode = { [keyword: string]: any };

function isObject(x: unknown): x is SchemaNode {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Returns a deep copy of a structural schema in which every object node that
 * lists `properties` but neither `additionalProperties` nor
 * `x-kubernetes-preserve-unknown-fields` gets `additionalProperties: false`.
 *
 * The API server prunes (or, with strict field validation, rejects) fields
 * that the schema does not declare; for our generated manifests such a field
 * is always a bug (a typo or a field of another API version), so we reject it.
 *
 * Only the structural skeleton (`properties`, `items`, `additionalProperties`)
 * is walked. The value-validation branches under `oneOf`/`anyOf`/`allOf`/`not`
 * are left alone: in a structural schema they only restate fields declared in
 * the skeleton (e.g. Cilium's `oneOf: [{properties: {endpointSelector: {}},
 * required: [...]}]`), and closing them would reject every other field.
 *
 * With `stripDefaults`, `default` keywords are dropped as well. That is right
 * for built-in types: their OpenAPI defaults (`""`, `{}`) are informational,
 * the real defaulting is Go code, and filling `""` into a missing required
 * field would hide the error.
 */
export function closeStructuralSchema(schema: SchemaNode, options: { stripDefaults?: boolean } = {}): SchemaNode {
  const visit = (node: unknown): unknown => {
    if (!isObject(node)) return node;
    const out: SchemaNode = { ...node };
    if (options.stripDefaults) delete out.default;
    if (isObject(out.properties)) {
      out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, visit(v)]));
      if (out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) {
        out.additionalProperties = false;
      }
    }
    if (isObject(out.additionalProperties)) out.additionalProperties = visit(out.additionalProperties);
    if (Array.isArray(out.items)) out.items = out.items.map(visit);
    else if (isObject(out.items)) out.items = visit(out.items);
    if (options.stripDefaults && Array.isArray(out.allOf)) out.allOf = out.allOf.map(visit);
    return out;
  };
  return visit(schema) as SchemaNode;
}

/**
 * Prepares the `openAPIV3Schema` root of a CRD version for validating whole
 * objects: the API server always accepts `apiVersion`, `kind` and `metadata`
 * even when a CRD (Istio's, for example) does not declare them, and it
 * validates `metadata` as an ObjectMeta, which CRDs only describe as
 * `type: object`. `objectMetaRef` is the `$ref` of the ObjectMeta schema.
 */
export function prepareCrdRoot(root: SchemaNode, objectMetaRef: string): SchemaNode {
  const properties: SchemaNode = { ...(root.properties ?? {}) };
  properties.apiVersion = properties.apiVersion ?? { type: 'string' };
  properties.kind = properties.kind ?? { type: 'string' };
  const declaredMeta = properties.metadata;
  properties.metadata = declaredMeta === undefined
    ? { $ref: objectMetaRef }
    : { allOf: [{ $ref: objectMetaRef }, declaredMeta] };
  return { ...root, type: root.type ?? 'object', properties };
}
