import { ISTIO_ROOT_NAMESPACE } from '../istio-policy';
import { KIND, LintObject } from '../lint-object';
import { LintContext, LintViolation } from '../lint-rule';
import { asObject, asString, specOf } from '../manifest-fields';

const ENROLMENT_LABELS: readonly [string, string | undefined][] = [
  ['istio-injection', 'enabled'], ['istio.io/rev', undefined], ['istio.io/dataplane-mode', 'ambient'],
];

/**
 * A STRICT PeerAuthentication rejects plaintext from every client outside the mesh — the seed's case 2
 * recovers by going back to PERMISSIVE (IAPI; SEMANTICS §6 Istio 8). With `--cluster`, the message
 * says whether the namespace is labelled for the mesh at all.
 */
export function istioStrictMtls(object: LintObject, context: LintContext): LintViolation[] {
  if (object.key !== KIND.istioPeerAuthentication) {
    return [];
  }
  const spec = specOf(object.raw);
  const strictPorts = Object.entries(asObject(spec.portLevelMtls) ?? {})
    .filter(([, value]) => asString(asObject(value)?.mode) === 'STRICT').map(([port]) => port);
  const strict = asString(asObject(spec.mtls)?.mode) === 'STRICT';
  if (!strict && strictPorts.length === 0) {
    return [];
  }
  const scope = object.namespace === ISTIO_ROOT_NAMESPACE && asObject(spec.selector) === undefined ? 'the whole mesh'
    : `${asObject(spec.selector) ? 'the selected workloads in ' : ''}namespace ${object.namespace}`;
  const labels = object.namespace === undefined ? undefined : context.cluster?.namespaces.get(object.namespace)?.labels;
  const enrolled = labels === undefined || object.namespace === ISTIO_ROOT_NAMESPACE
    || ENROLMENT_LABELS.some(([key, value]) => labels[key] !== undefined && (value === undefined || labels[key] === value));
  const ports = strict ? '' : ` on port${strictPorts.length === 1 ? '' : 's'} ${strictPorts.join(', ')}`;
  return [{
    path: strict ? 'spec.mtls.mode' : 'spec.portLevelMtls',
    message: `STRICT mTLS for ${scope}${ports} rejects every plaintext connection, so clients outside the mesh (un-injected pods, other namespaces, node probes) fail`
      + (enrolled ? '' : `; namespace ${object.namespace} carries none of the labels that enrol pods (istio-injection=enabled, istio.io/rev, istio.io/dataplane-mode=ambient)`),
    fix: 'roll out PERMISSIVE first, confirm every client is in the mesh (e.g. with istioctl x describe or Kiali), then switch to STRICT; keep a PERMISSIVE rollback ready',
  }];
}
