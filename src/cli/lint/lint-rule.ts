import { LintObject } from './lint-object';
import { ClusterModel, CnpImplementationProfile } from '../../analysis';

/** How bad a finding is: errors fail `lint`, warnings only with `--strict`. */
export type LintSeverity = 'error' | 'warning';

/** What a rule found wrong with one object. */
export interface LintViolation {
  /** Field path inside the object, e.g. `spec.ingress[0].from`; empty for the whole object. */
  readonly path: string;
  /** What is wrong and what it does at runtime. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

/** Everything a rule may look at besides the object: the other objects linted with it, and the cluster. */
export interface LintContext {
  /** The valid objects of the run, in input order (objects with `problems` are left out). */
  readonly objects: readonly LintObject[];
  /** The cluster model, when `lint --cluster` was given; rules that need it skip without it. */
  readonly cluster?: ClusterModel;
  /** The ClusterNetworkPolicy implementation, when `lint --implementation` was given; rules that need it skip without it. */
  readonly implementation?: CnpImplementationProfile;
}

/**
 * A pure check of one object (in the context of the others): returns its violations, none when the
 * object complies or the rule does not apply to its kind.
 */
export type LintCheck = (object: LintObject, context: LintContext) => readonly LintViolation[];

/** A rule of a pack: its id (also its file name under `rules/`), severity, summary, sources and check. */
export interface LintRule {
  readonly id: string;
  readonly severity: LintSeverity;
  /** One line: the footgun. */
  readonly summary: string;
  /** Where the footgun is documented (SEMANTICS.md keys, upstream issues). */
  readonly sources: string;
  readonly check: LintCheck;
  /**
   * True for the rule that reports invalid objects (`manifest-invalid`): it alone sees objects with
   * `problems`; every other rule sees only valid objects, in `check` and in `context.objects`.
   * @default false
   */
  readonly readsInvalidObjects?: boolean;
}

/** A violation reported by a rule, with the object it is about. */
export interface LintFinding extends LintViolation {
  readonly ruleId: string;
  readonly severity: LintSeverity;
  readonly object: {
    readonly kind: string;
    readonly apiVersion: string;
    readonly namespace?: string;
    readonly name: string;
    readonly file: string;
    readonly document: number;
    /** Item path inside a `kind: List` document, e.g. `items[2]`. */
    readonly item?: string;
  };
}
