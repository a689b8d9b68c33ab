import { FieldReader } from './field-reader';
import { readIstioAuthorizationPolicy, readIstioPeerAuthentication } from './istio-security';
import { AnalysisPolicy } from '../ir/analysis-policy';
import { translateIstioAuthorizationPolicy, UnsupportedIstioPolicy } from '../translate/istio-authorization-policy';

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

/** Reads a PeerAuthentication: PERMISSIVE changes no reachability; STRICT and DISABLE fail (see the reader). */
export function readIstioPeerAuthentications(reader: FieldReader, value: unknown, defaultNamespace: string | undefined): AnalysisPolicy[] {
  readIstioPeerAuthentication(reader, value, defaultNamespace ?? 'default');
  return [];
}
