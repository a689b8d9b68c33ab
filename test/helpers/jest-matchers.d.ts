import type { FlowQuery } from '../../src/testing';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    interface Matchers<R> {
      /** The chart's synthesized policies allow the flow. */
      toAllow(query: FlowQuery): R;
      /** The chart's synthesized policies deny the flow. */
      toDeny(query: FlowQuery): R;
    }
  }
}
