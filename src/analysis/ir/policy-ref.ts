/** Where a manifest came from: the file, the 1-based document index, and the path of a `List` item. */
export interface SourceLocation {
  readonly file: string;
  /** 1-based index of the YAML document in the file. */
  readonly document: number;
  /** Field path of the object inside the document, e.g. `items[3]` for a `kind: List`; empty for a whole document. */
  readonly path?: string;
}

/** Identifies the object a policy was translated from. Namespace is absent for cluster-scoped kinds. */
export interface PolicyRef {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** `<kind> <ns>/<name>` (or `<kind> <name>` when cluster-scoped), e.g. `NetworkPolicy prod/default-deny`. */
export function formatPolicyRef(ref: PolicyRef): string {
  return ref.namespace === undefined ? `${ref.kind} ${ref.name}` : `${ref.kind} ${ref.namespace}/${ref.name}`;
}

/**
 * `<kind> <ns>/<name> <rule label>`, e.g. `NetworkPolicy prod/web ingress[0]`. Rule labels are the
 * path of the rule inside its object, so a reader can find it in the YAML.
 */
export function formatRuleRef(ref: PolicyRef, ruleLabel: string): string {
  return `${formatPolicyRef(ref)} ${ruleLabel}`;
}

/** `file, document N` plus the item path, for messages that point back to the YAML. */
export function formatSourceLocation(location: SourceLocation): string {
  const path = location.path ? `, ${location.path}` : '';
  return `${location.file}, document ${location.document}${path}`;
}
