import { Capability } from './capability';

/**
 * The mutual-TLS rows of a CNI dialect's capability table: a CNI policy can
 * filter connections but cannot require or verify mutual TLS (node-to-node
 * WireGuard/IPsec encryption is a cluster setting, not bound to workload
 * identities), so every mTLS feature is unsupported with the same fix.
 *
 * @param engine the engine's factory call, e.g. `Engine.kubernetes()`
 */
export function cniMtlsRows(engine: string): { readonly 'mtls.strict': Capability; readonly 'mtls.permissive': Capability; readonly 'mtls.port-exception': Capability } {
  const row: Capability = {
    level: 'unsupported',
    reason: 'a CNI network policy filters connections but cannot require or verify mutual TLS; node-level encryption (WireGuard, IPsec) is a cluster setting and proves no workload identity',
    fix: `set acknowledgeNoEncryption: true on the MutualTls or ZeroTrustNamespace to accept that this engine does not encrypt traffic (the requirement then renders nothing here, and is still enforced on Istio); for mutual TLS, layer Istio on this CNI: Engine.istio({ mode: IstioMode.AMBIENT, cni: ${engine} })`,
  };
  return { 'mtls.strict': row, 'mtls.permissive': row, 'mtls.port-exception': row };
}
