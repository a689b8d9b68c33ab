/**
 * Istio's mesh setting `meshConfig.pathNormalization.normalization`: how every
 * Envoy istiod configures (sidecars, waypoints, gateways) rewrites a request
 * path before AuthorizationPolicy `paths` see it
 * (istio/istio pilot/pkg/networking/core/listener_builder.go).
 */
export enum IstioPathNormalization {
  /** No normalization: `paths` see the raw path. */
  NONE = 'NONE',
  /** RFC 3986 normalization (dot segments, backslashes, unreserved escapes); Istio's default (also `DEFAULT`). */
  BASE = 'BASE',
  /** BASE, and runs of slashes merged. */
  MERGE_SLASHES = 'MERGE_SLASHES',
  /** MERGE_SLASHES, and `%2F` / `%5C` decoded before normalizing (forwarded decoded). */
  DECODE_AND_MERGE_SLASHES = 'DECODE_AND_MERGE_SLASHES',
}
