import { IConstruct } from 'constructs';

// What the library reads from cdk8s-plus objects, declared structurally so that a workload, pod or
// namespace of any cdk8s-plus major line (cdk8s-plus-28 and later) fits without the library depending on
// one of them: each line is its own npm package whose classes TypeScript treats as distinct types.

/**
 * A label selector the library can read: cdk8s-plus's `LabelSelector` (any major line from 28 on).
 *
 * The library reads the selector's Kubernetes form (its match labels and expressions) through the method
 * cdk8s-plus renders it with, and fails with a clear error for an object that has none.
 */
export interface ILabelSelectorSource {
  /** Whether the selector selects everything (no labels and no expressions). */
  isEmpty(): boolean;
}

/**
 * Which namespaces a selector's pods may be in, as cdk8s-plus's `NamespaceSelectorConfig` says it.
 */
export interface NamespaceSelectorSourceConfig {
  /**
   * Namespaces carrying these labels.
   * @default - no label requirement
   */
  readonly labelSelector?: ILabelSelectorSource;
  /**
   * Namespaces with these names.
   * @default - no name requirement
   */
  readonly names?: string[];
}

/**
 * Pods selected by labels, optionally in some namespaces, as cdk8s-plus's `PodSelectorConfig` says it.
 */
export interface PodSelectorSourceConfig {
  /** The pods' labels and label expressions. */
  readonly labelSelector: ILabelSelectorSource;
  /**
   * Which namespaces the pods may be in.
   * @default - the selector's own namespace
   */
  readonly namespaces?: NamespaceSelectorSourceConfig;
}

/**
 * Something that selects pods: a cdk8s-plus `Deployment`, `StatefulSet`, `DaemonSet`, `Job`, `Pod`,
 * `Pods.select()` or `Pods.all()` of any major line from cdk8s-plus-28 on.
 *
 * The library reads its label selector and namespaces (`toPodSelectorConfig()`), its own namespace
 * (`metadata.namespace`, when it has one) and, only when asked to, the service account its pods run as.
 */
export interface IPodSelectorSource extends IConstruct {
  /** The pods this object selects. */
  toPodSelectorConfig(): PodSelectorSourceConfig;
}

/**
 * Something that selects namespaces: a cdk8s-plus `Namespace` or `Namespaces.select()` of any major line
 * from cdk8s-plus-28 on.
 */
export interface INamespaceSelectorSource extends IConstruct {
  /** The namespaces this object selects. */
  toNamespaceSelectorConfig(): NamespaceSelectorSourceConfig;
}
