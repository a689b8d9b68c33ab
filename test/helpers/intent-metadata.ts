/**
 * The annotations the library writes on every object it renders, spelled out here rather than
 * computed by the library, so a test fails when the names or values change.
 */
export function intentAnnotations(constructPath: string, intent: string, shared?: string): Record<string, string> {
  return {
    'zero-trust.cdk8s.io/construct-path': constructPath,
    'zero-trust.cdk8s.io/intent': intent,
    ...(shared !== undefined ? { 'zero-trust.cdk8s.io/shared': shared } : {}),
  };
}

/** A Calico rule's `metadata` naming the intent (the same annotations). */
export function calicoRuleMetadata(constructPath: string, intent: string): { annotations: Record<string, string> } {
  return { annotations: intentAnnotations(constructPath, intent) };
}

/** The Cilium rule labels (`spec.labels`) naming the intent, with Cilium's `k8s` source. */
export function ciliumIntentLabels(constructPath: string, intent: string): { key: string; value: string; source: string }[] {
  return Object.entries(intentAnnotations(constructPath, intent)).map(([key, value]) => ({ key, value, source: 'k8s' }));
}

/** The annotations without the library's intent annotations, after checking that an object has them. */
export function otherAnnotations(annotations: Record<string, string> | undefined): Record<string, string> {
  const all = annotations ?? {};
  if (!all['zero-trust.cdk8s.io/construct-path'] || !all['zero-trust.cdk8s.io/intent']) {
    throw new Error(`expected the intent annotations, got ${JSON.stringify(all)}`);
  }
  return Object.fromEntries(Object.entries(all).filter(([key]) => !key.startsWith('zero-trust.cdk8s.io/')));
}
