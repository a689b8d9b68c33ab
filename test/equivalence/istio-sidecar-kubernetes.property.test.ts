import { checkIstioEquivalence, ISTIO_RUNS } from './istio-equivalence';

// One file per engine configuration, so that jest runs them in parallel (issue 13 item 8: ≥ 500 cases each).
describe('the Istio engine in sidecar mode with Kubernetes NetworkPolicy as the CNI', () => {
  test(`allows exactly what the intent means, on ${ISTIO_RUNS} random intents over randomly enrolled clusters`, () => {
    const { compared, refused } = checkIstioEquivalence('sidecar', 'Kubernetes NetworkPolicy');
    // Most cases must really be compared, not refused by a guardrail.
    expect([compared > ISTIO_RUNS / 2, compared + refused]).toEqual([true, ISTIO_RUNS]);
  });

  // Exclusive accounts: Istio admits such clients by principal, the Kubernetes CNI selects them by labels.
  const runs = Math.ceil(ISTIO_RUNS / 2);
  test(`allows exactly what the intent means with workloads declaring exclusive accounts, on ${runs} random intents over randomly enrolled clusters where the declarations hold`, () => {
    const { compared, refused } = checkIstioEquivalence('sidecar', 'Kubernetes NetworkPolicy', { exclusive: true, runs });
    expect([compared > runs / 2, compared + refused]).toEqual([true, runs]);
  });
});
