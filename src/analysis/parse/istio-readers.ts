import { FieldReader } from './field-reader';
import { readIstioAuthorizationPolicy, readIstioPeerAuthentication } from './istio-security';
import { AnalysisPolicy, PolicyTier } from '../ir/analysis-policy';
import { PeerAuthenticationSpec } from '../ir/peer-authentication';
import { SELECT_ALL, selectorFromLabelSelector } from '../ir/selector';
import { ISTIO_ROOT_NAMESPACE, translateIstioAuthorizationPolicy, UnsupportedIstioPolicy } from '../translate/istio-authorization-policy';

/** The Istio kinds, as `<group>/<kind>` keys of the parser's reader table. */
export const ISTIO_AUTHORIZATION_POLICY_KEY = 'security.istio.io/AuthorizationPolicy';
export const ISTIO_PEER_AUTHENTICATION_KEY = 'security.istio.io/PeerAuthentication';

/**
 * Reads and translates one AuthorizationPolicy into a `mesh`-layer policy, evaluated together with
 * the CNI's `network`-layer policies (a flow needs both). What the IR cannot express fails with a
 * ManifestError on the field.
 */
export function readIstioAuthorizationPolicies(
  reader: FieldReader, value: unknown, defaultNamespace: string | undefined, trustDomain?: string,
): AnalysisPolicy[] {
  const manifest = readIstioAuthorizationPolicy(reader, value, defaultNamespace ?? 'default');
  try {
    return [translateIstioAuthorizationPolicy(manifest, trustDomain === undefined ? {} : { trustDomain })];
  } catch (e) {
    if (e instanceof UnsupportedIstioPolicy) reader.fail(e.path, `${e.problem}; the analyzer cannot evaluate this policy`);
    throw e;
  }
}

/** The tier PeerAuthentications are kept in (they carry no rules; the engine composes them per pod and port). */
export const ISTIO_PEER_AUTHENTICATION_TIER: PolicyTier = { name: 'istio-peer-authentication', order: -1, defaultAction: 'pass' };

/**
 * Reads a PeerAuthentication into a rule-less `mesh` policy carrying its spec: the engine composes
 * the policies of mesh, namespace and workload level per pod and port into whether a connection is
 * mTLS, and whether plaintext is rejected (`engine/mesh-authentication.ts`). A selector policy in
 * the root namespace, which istiod ignores (`pilot/pkg/model/authentication.go`: workload level is
 * "the one with selector and not in root namespace"), fails: it does not do what it says.
 */
export function readIstioPeerAuthentications(reader: FieldReader, value: unknown, defaultNamespace: string | undefined): AnalysisPolicy[] {
  const m = readIstioPeerAuthentication(reader, value, defaultNamespace ?? 'default');
  const root = m.namespace === ISTIO_ROOT_NAMESPACE;
  if (root && m.selector) {
    reader.fail('spec.selector', `istiod ignores a PeerAuthentication with a workload selector in the root namespace ${ISTIO_ROOT_NAMESPACE} (pilot/pkg/model/authentication.go); `
      + 'move it to the workload\'s namespace, or remove the selector to make it mesh-wide');
  }
  const spec: PeerAuthenticationSpec = {
    level: m.selector ? 'workload' : root ? 'mesh' : 'namespace',
    namespace: m.namespace,
    name: m.name,
    ...(m.selector ? { selector: m.selector } : {}),
    ...(m.mode ? { mode: m.mode } : {}),
    portModes: m.portModes,
    ...(m.createdAt ? { createdAt: m.createdAt } : {}),
  };
  return [{
    ref: { kind: 'PeerAuthentication', namespace: m.namespace, name: m.name },
    ...(m.source ? { source: m.source } : {}),
    layer: 'mesh',
    tier: ISTIO_PEER_AUTHENTICATION_TIER,
    enforced: true,
    subject: {
      namespaces: root ? { kind: 'selector', selector: SELECT_ALL } : { kind: 'names', names: [m.namespace] },
      pods: m.selector ? selectorFromLabelSelector(m.selector, undefined) : SELECT_ALL,
    },
    peerAuthentication: spec,
  }];
}
