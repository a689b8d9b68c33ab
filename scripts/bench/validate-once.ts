// An experiment for the benchmark, never used by the library: cdk8s's `App.synth()` as upstream
// could change it, to show what the per-chart whole-app walk costs.
//
// `App.synth()` resolves dependencies and validates the whole app once, then writes each chart
// with `chart.toJson()`, which calls `App._synthChart`: that resolves dependencies and validates
// the whole app again, for every chart (cdk8s-team/cdk8s-core#1053 made `toJson` the synthesis
// hook). With one chart per namespace that is one walk of every construct per namespace, so
// synthesis grows with charts × constructs. Inside `App.synth()` the second walk finds nothing the
// first did not (nothing changes the tree in between), so skipping it writes the same files.
import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';

interface SynthChartHook {
  _synthChart(chart: Chart): unknown[];
}

/** The objects of one chart, as `App._synthChart` renders them after its walk of the app. */
function chartObjects(chart: Chart): unknown[] {
  return new DependencyGraph(chart.node).topology()
    .filter((c): c is ApiObject => c instanceof ApiObject)
    .filter(o => Chart.of(o) === chart)
    .map(o => o.toJson());
}

/**
 * Runs `run` with `App.synth()` walking the app once per synthesis instead of once per chart
 * (the charts' `toJson()` called from inside `App.synth()` skip the repeated walk). Restores
 * cdk8s afterwards.
 */
export function withValidateOnce<T>(run: () => T): T {
  const hook = App as unknown as SynthChartHook;
  const originalSynthChart = hook._synthChart;
  const originalSynth = App.prototype.synth;
  let synthesizing = 0;
  App.prototype.synth = function synthOnce(this: App): void {
    synthesizing++;
    try {
      originalSynth.call(this);
    } finally {
      synthesizing--;
    }
  };
  hook._synthChart = (chart: Chart) => (synthesizing > 0 ? chartObjects(chart) : originalSynthChart.call(App, chart));
  try {
    return run();
  } finally {
    App.prototype.synth = originalSynth;
    hook._synthChart = originalSynthChart;
  }
}
