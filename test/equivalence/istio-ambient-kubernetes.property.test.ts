import { checkIstioEquivalence, ISTIO_RUNS } from './istio-equivalence';

// One file per engine configuration, so that jest runs them in parallel (issue 13 item 8: ≥ 500 cases each).
test(`the Istio engine in ambient mode with Kubernetes NetworkPolicy as the CNI allows exactly what the intent means, on ${ISTIO_RUNS} random intents (HTTP allowances through the waypoint included) over randomly enrolled clusters, pod and Service rows`, () => {
  const { compared, refused, throughWaypoint } = checkIstioEquivalence('ambient', 'Kubernetes NetworkPolicy');
  // Most cases must really be compared, not refused by a guardrail.
  // And the Service rows are not vacuous: in some compared cases a pod reaches the waypoint-bound Service.
  expect([compared > ISTIO_RUNS / 2, compared + refused, throughWaypoint > 0]).toEqual([true, ISTIO_RUNS, true]);
});
