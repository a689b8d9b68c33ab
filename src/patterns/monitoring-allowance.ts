import type { Port } from '../intent/port';
import type { Workload } from '../intent/workload';

/**
 * Lets a monitoring system (Prometheus) scrape metrics ports of a namespace's
 * pods. With an Istio engine the scraper must be in the mesh: Istio admits it
 * by its identity (namespace or service account), which plaintext clients do
 * not have.
 */
export interface MonitoringAllowance {
  /** The namespace the scraper runs in (e.g. `monitoring`). */
  readonly namespace: string;
  /**
   * The scraper's service account (its identity).
   * @default - every pod of `namespace`
   */
  readonly serviceAccount?: string;
  /** The metrics ports of the scraped pods (container ports, e.g. `Port.tcp(9090)`). */
  readonly ports: Port[];
  /**
   * Only these pods are scraped.
   * @default - every pod of the namespace
   */
  readonly pods?: Workload;
}
