import { App } from 'cdk8s';
import { Engine } from '../src';

/**
 * An example app: a function that adds charts to an app for one engine, and
 * the engines it is synthesized for (folder name → engine).
 */
export interface Example {
  /** One line for the output listing. */
  readonly description: string;
  /** The engines to synthesize for: `dist/examples/<example>/<engine name>/`. */
  readonly engines: Record<string, () => Engine>;
  /**
   * The charts are applied to one cluster together (a platform chart and tenant charts), rather than
   * being alternatives applied one at a time (MeshMigration's phases); linted together then.
   * @default false
   */
  readonly chartsAppliedTogether?: boolean;
  /** Adds the example's charts to the app, with the engine attached. */
  build(app: App, engine: Engine): void;
}
