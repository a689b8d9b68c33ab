/**
 * Which pods a policy part applies to, coarsely: every pod of its namespace (or of the cluster), or
 * the pods of one selector, keyed so that selectors written the same way in one dialect compare equal.
 */
export interface PodScope {
  readonly all: boolean;
  readonly key: string;
}
