import { CapabilityTable } from './capability';
import { OriginModel, PodSetModel, Statement, DirectionModel } from '../model';

/** An object a dialect renders; the compiler turns it into a cdk8s ApiObject. */
export interface RenderedObject {
  readonly apiVersion: string;
  readonly kind: string;
  /** metadata.name: a DNS label derived from the origin, never random. */
  readonly name: string;
  /** metadata.namespace, for namespaced kinds. */
  readonly namespace?: string;
  /** metadata.labels, when the kind needs some (e.g. Istio's `istio.io/waypoint-for`). */
  readonly labels?: Readonly<Record<string, string>>;
  /** metadata.annotations, when the kind needs some (e.g. Istio's `istio.io/dry-run`). */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Everything but apiVersion, kind and metadata (usually `{ spec }`). */
  readonly body: Record<string, unknown>;
  /** The construct-path-scoped id of the object (unique per origin). */
  readonly id: string;
  readonly origin: OriginModel;
}

/** A statement of the app with the engine that renders it. */
export interface AppStatement {
  readonly statement: Statement;
  /** The name of the engine chosen for the statement's intent; undefined when none is attached. */
  readonly engine?: string;
}

/** What the compiler knows about the whole app when a statement is rendered. */
export interface RenderContext {
  /**
   * Every statement of the app with its engine, in construction order: for
   * renderings that depend on other statements (e.g. Cilium's DNS proxy rule
   * on the DNS allowance of pods that have FQDN egress).
   */
  statements(): readonly AppStatement[];
  /**
   * The pod sets isolated in a direction in a namespace, by every intent of
   * the app (explicit default deny and isolating allowances). A non-isolating
   * statement renders only for pods inside these sets.
   */
  isolatedSets(namespace: string, direction: DirectionModel): readonly PodSetModel[];
  /**
   * Like `isolatedSets`, but as if every audit-stage statement were enforced
   * too: what a staged (preview) rendering of a non-isolating statement must
   * cover, so that the preview shows what enforcing the audit intents would do.
   */
  isolatedSetsWithAudit(namespace: string, direction: DirectionModel): readonly PodSetModel[];
  /** Makes an object name from the origin and a purpose suffix (DNS label, at most 63 characters). */
  objectName(origin: OriginModel, suffix?: string): string;
}

/**
 * The renderer contract. A dialect MUST render each statement to objects that
 * allow exactly what the statement allows (given the context), and MUST
 * declare every feature in its capability table; the compiler never calls
 * `render` for a statement that uses an unsupported feature, or an approximate
 * one whose opt-in is not enabled. A dialect MUST be deterministic: the same
 * statements give the same objects in the same order.
 */
export interface Dialect {
  /** The engine name, as used in output folders and messages (e.g. `kubernetes`). */
  readonly name: string;
  readonly capabilities: CapabilityTable;
  render(statement: Statement, context: RenderContext): RenderedObject[];
  /**
   * Rewrites a statement into one that means the same under the user's
   * declarations and that this dialect can express (e.g. drops a service
   * account the user declared the labels select exactly: exclusive service
   * accounts). The compiler checks and renders the result. Optional.
   */
  lower?(statement: Statement): Statement;
  /**
   * Engine-specific guardrails, run after the capability check and before
   * `render`: each returned string is a synthesis error (a full sentence
   * that names the problem and a fix). Optional.
   */
  check?(statement: Statement, context: RenderContext): string[];
}
