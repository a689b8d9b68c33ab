import { checkIstioEquivalence, ISTIO_RUNS } from './istio-equivalence';

// One file per engine configuration, so that jest runs them in parallel (issue 13 item 8: ≥ 500 cases each).
test(`the Istio engine in ambient mode with Cilium as the CNI allows exactly what the intent means, on ${ISTIO_RUNS} random intents over randomly enrolled clusters`, () => {
  const { compared, refused } = checkIstioEquivalence('ambient', 'Cilium');
  // Most cases must really be compared, not refused by a guardrail.
  expect([compared > ISTIO_RUNS / 2, compared + refused]).toEqual([true, ISTIO_RUNS]);
});
