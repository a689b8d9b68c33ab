import { CONSTRUCT_PATH_ANNOTATION, INTENT_ANNOTATION, SHARED_ANNOTATION } from '../../dialects/intent-metadata';

/**
 * The intent behind a policy or rule, as the library writes it on every object it renders
 * (`zero-trust.cdk8s.io/intent`, `zero-trust.cdk8s.io/construct-path`, `zero-trust.cdk8s.io/shared`;
 * src/dialects/intent-metadata.ts). Read from the manifests, so it is whatever the object says:
 * a hand-written object may claim any intent, and the analyzer never decides anything by it.
 */
export interface IntentRef {
  /** The intent construct's type, e.g. `AllowFrom`. */
  readonly kind: string;
  /** The construct path of the intent, e.g. `prod/frontend-to-backend`. */
  readonly constructPath: string;
  /** Set on objects that serve several intents (Istio's mesh plumbing): what they are for. */
  readonly shared?: string;
}

/** The intent named by a map of annotations (or Calico rule annotations), or undefined when it names none. */
export function intentFromAnnotations(annotations: Readonly<Record<string, string>> | undefined): IntentRef | undefined {
  if (!annotations) return undefined;
  const own = (key: string) => (Object.prototype.hasOwnProperty.call(annotations, key) ? annotations[key] : undefined);
  const constructPath = own(CONSTRUCT_PATH_ANNOTATION);
  const kind = own(INTENT_ANNOTATION);
  if (!constructPath || !kind) return undefined;
  const shared = own(SHARED_ANNOTATION);
  return { kind, constructPath, ...(shared ? { shared } : {}) };
}

/**
 * The intent named by Cilium rule labels (`spec.labels`: `{key, value, source}`) or by Hubble's
 * `Policy.labels` strings (`k8s:zero-trust.cdk8s.io/construct-path=prod/web`), whatever the source.
 */
export function intentFromLabels(labels: readonly ({ readonly key: string; readonly value?: string } | string)[] | undefined): IntentRef | undefined {
  if (!labels) return undefined;
  const map: Record<string, string> = Object.create(null);
  for (const label of labels) {
    if (typeof label === 'string') {
      const eq = label.indexOf('=');
      if (eq < 0) continue;
      const sourceAndKey = label.slice(0, eq);
      map[sourceAndKey.slice(sourceAndKey.indexOf(':') + 1)] = label.slice(eq + 1);
    } else if (label.value !== undefined) {
      map[label.key] = label.value;
    }
  }
  return intentFromAnnotations(map);
}

/** `AllowFrom prod/frontend-to-backend`, with `(shared: mesh-hbone)` for plumbing. */
export function formatIntentRef(intent: IntentRef): string {
  return `${intent.kind} ${intent.constructPath}${intent.shared ? ` (shared: ${intent.shared})` : ''}`;
}
