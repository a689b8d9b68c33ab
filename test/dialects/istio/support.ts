import { Chart } from 'cdk8s';
import { Engine, IstioEngineOptions, IstioMode } from '../../../src';
import { chartWith } from '../../helpers/synth';
import { TEST_TARGET } from '../../helpers/target';

/** An Istio engine on a CNI engine (Kubernetes NetworkPolicy by default), for the test cluster (TEST_TARGET) unless the CNI declares one. */
export function istio(mode: IstioMode, cni: Engine = Engine.kubernetes(), options: Partial<IstioEngineOptions> = {}): Engine {
  return Engine.istio({ mode, cni, ...(cni._target.podCidrs ? {} : { target: TEST_TARGET }), ...options });
}

/** A chart in namespace production with an Istio engine attached. */
export function istioChart(mode: IstioMode, cni: Engine = Engine.kubernetes(), options: Partial<IstioEngineOptions> = {}): Chart {
  return chartWith(istio(mode, cni, options));
}

/** The objects of one kind. */
export function ofKind(objs: any[], kind: string): any[] {
  return objs.filter(o => o.kind === kind);
}

/** Whether an AuthorizationPolicy has HTTP-only fields anywhere in its rules. */
export function hasHttpFields(ap: any): boolean {
  return (ap.spec.rules ?? []).some((r: any) => (r.to ?? []).some((t: any) => t.operation?.methods || t.operation?.paths || t.operation?.hosts));
}
