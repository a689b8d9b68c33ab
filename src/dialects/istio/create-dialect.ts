import { IstioDialectOptions } from './options';
import { IstioDialect } from './render';
import { formatProblem, InputProblem } from '../../validation/input-error';
import { checkLabels, checkNamespaceName, checkSubdomainName } from '../../validation/validators';

/**
 * What `Engine.istio()` receives, as an untyped caller may pass it: its options, with the CNI
 * engine reduced to its name and dialect. Every field is checked here.
 */
export interface IstioDialectInput {
  readonly mode?: unknown;
  readonly cni?: { readonly name?: unknown; readonly dialect?: unknown } | null;
  readonly trustDomain?: unknown;
  readonly waypoint?: { readonly name?: unknown; readonly serviceAccount?: unknown; readonly create?: unknown };
  readonly istiodNamespace?: unknown;
  readonly istiodLabels?: unknown;
  readonly matchPeersByServiceAccount?: unknown;
}

const TRUST_DOMAIN = /^[a-z0-9]([-a-z0-9._]*[a-z0-9])?$/;

/** Validates `Engine.istio()` options and resolves their defaults; throws one error listing every problem. */
export function createIstioDialect(options: IstioDialectInput): IstioDialect {
  const problems: InputProblem[] = [];
  const what = (field: string) => `${field} of Engine.istio()`;
  const mode = options?.mode;
  if (mode !== 'sidecar' && mode !== 'ambient') {
    problems.push({ what: what('mode'), value: mode, expected: 'IstioMode.SIDECAR or IstioMode.AMBIENT', fix: 'use the IstioMode enum' });
  }
  const cni = options?.cni;
  const cniDialect = cni?.dialect as { render?: unknown } | undefined;
  if (!cniDialect || typeof cniDialect.render !== 'function') {
    problems.push({ what: what('cni'), value: cni, expected: 'a CNI engine: Engine.kubernetes(), Engine.cilium() or Engine.calico()', fix: 'Istio does not enforce L3/L4 (egress, CIDRs, UDP): pass the engine of the cluster\'s CNI' });
  } else if (cniDialect instanceof IstioDialect) {
    problems.push({ what: what('cni'), value: cni?.name, expected: 'a CNI engine, not another Istio engine', fix: 'pass Engine.kubernetes(), Engine.cilium() or Engine.calico()' });
  }
  const trustDomain = options?.trustDomain ?? 'cluster.local';
  if (typeof trustDomain !== 'string' || trustDomain.length > 255 || !TRUST_DOMAIN.test(trustDomain)) {
    problems.push({ what: what('trustDomain'), value: trustDomain, expected: 'a SPIFFE trust domain: lower-case letters, digits, ".", "-" or "_"', fix: 'use the mesh\'s trust domain (meshConfig.trustDomain), or leave it out for cluster.local' });
  }
  const waypointName = options?.waypoint?.name ?? 'waypoint';
  problems.push(...checkNamespaceName(what('waypoint.name'), waypointName).map(p => ({ ...p, expected: p.expected.replace('a namespace name', 'a Gateway name') })));
  const waypointServiceAccount = options?.waypoint?.serviceAccount ?? waypointName;
  problems.push(...checkSubdomainName(what('waypoint.serviceAccount'), waypointServiceAccount));
  if (options?.waypoint !== undefined && mode === 'sidecar') {
    problems.push({ what: what('waypoint'), value: options.waypoint, expected: 'no waypoint options in sidecar mode', fix: 'drop `waypoint`: sidecars enforce HTTP rules themselves' });
  }
  const istiodNamespace = options?.istiodNamespace ?? 'istio-system';
  problems.push(...checkNamespaceName(what('istiodNamespace'), istiodNamespace));
  const istiodLabels = options?.istiodLabels ?? { app: 'istiod' };
  problems.push(...checkLabels(what('istiodLabels'), istiodLabels));
  if (problems.length === 0 && Object.keys(istiodLabels).length === 0) {
    problems.push({ what: what('istiodLabels'), value: istiodLabels, expected: 'at least one label of the istiod pods', fix: 'leave it out for { app: "istiod" }' });
  }
  for (const [field, value] of [['waypoint.create', options?.waypoint?.create], ['matchPeersByServiceAccount', options?.matchPeersByServiceAccount]] as const) {
    if (value !== undefined && typeof value !== 'boolean') {
      problems.push({ what: what(field), value, expected: 'true or false', fix: `write ${field.split('.').pop()}: true or false, or leave it out` });
    }
  }
  if (problems.length) throw new Error(problems.map(formatProblem).join('\n'));
  // Every value below passed its check above.
  const resolved: IstioDialectOptions = {
    mode: mode as IstioDialectOptions['mode'],
    cni: cniDialect as IstioDialectOptions['cni'],
    cniFactory: `Engine.${String(cni?.name)}()`,
    trustDomain: trustDomain as string,
    waypointName: waypointName as string,
    waypointServiceAccount: waypointServiceAccount as string,
    createWaypoint: options.waypoint?.create !== false,
    istiodNamespace: istiodNamespace as string,
    istiodLabels: { ...(istiodLabels as Record<string, string>) },
    matchPeersByServiceAccount: options.matchPeersByServiceAccount === true,
  };
  return new IstioDialect(resolved);
}
