import type { Port } from '../intent/port';
import type { Workload } from '../intent/workload';

/**
 * Lets a monitoring system (Prometheus) scrape metrics ports of a namespace's
 * pods. Say where the scraper runs by namespace name (`namespace`) or by the
 * labels of its namespace (`namespaceLabels`, as the seed does with
 * `team: monitoring`); narrow it to the scraper's pods with `podLabels` or
 * `serviceAccount`. With an Istio engine the scraper must be in the mesh and
 * its namespace named: Istio admits it by its identity (namespace name or
 * service account), which plaintext clients do not have, and cannot select
 * namespaces by labels.
 */
export interface MonitoringAllowance {
  /**
   * The namespace the scraper runs in (e.g. `monitoring`). Exactly one of
   * `namespace` and `namespaceLabels`.
   * @default - the namespace is selected by `namespaceLabels`
   */
  readonly namespace?: string;
  /**
   * Labels of the scraper's namespace (e.g. `{ team: 'monitoring' }`): every
   * namespace carrying them. Exactly one of `namespace` and `namespaceLabels`.
   * @default - the namespace is named by `namespace`
   */
  readonly namespaceLabels?: { [key: string]: string };
  /**
   * Labels of the scraper's pods (e.g. `{ app: 'prometheus' }`).
   * @default - every pod of the scraper's namespace (or those running as `serviceAccount`)
   */
  readonly podLabels?: { [key: string]: string };
  /**
   * The scraper's service account (its identity).
   * @default - any service account
   */
  readonly serviceAccount?: string;
  /**
   * Declare that exactly the scraper's pods (`podLabels`) run as
   * `serviceAccount` (see `WorkloadOptions.exclusiveServiceAccount`): Istio
   * then admits the scraper by its identity, other engines by its labels.
   * @default false
   */
  readonly exclusiveServiceAccount?: boolean;
  /** The metrics ports of the scraped pods (container ports, e.g. `Port.tcp(9090)`). */
  readonly ports: Port[];
  /**
   * Only these pods are scraped.
   * @default - every pod of the namespace
   */
  readonly pods?: Workload;
}
