import { IstioDialectOptions, MAX_EXPANDED_RANGE } from './options';
import { Capability, CapabilityTable, exact } from '../capability';

/** Whether a CNI capability row lets the CNI render the feature (exact, or an approximation the user opted into). */
export function usable(c: Capability): boolean {
  return c.level === 'exact' || (c.level === 'approximate' && c.optIn?.enabled === true);
}

/**
 * The capability table of a layered Istio engine, as one table. Rows the
 * Istio layer decides (mTLS, HTTP, identities, audit) are Istio's; the
 * others are the CNI's, which renders L3/L4. Where support depends on the
 * direction (Istio authorizes ingress TCP only), the row is what the engine
 * can do at best and the dialect's `check` names the exact limit for a
 * statement (e.g. namespace-label peers: fine on egress through the CNI,
 * impossible on ingress, where Istio only knows namespace names).
 */
export function istioCapabilities(options: IstioDialectOptions): CapabilityTable {
  const cni = options.cni.capabilities;
  const ambient = options.mode === 'ambient';
  return {
    ...cni,
    'isolate.ingress': exact(`${cni['isolate.ingress'].reason} (CNI), plus Istio's ALLOW-nothing AuthorizationPolicy (\`spec: {}\`, or a selector and no rules); never a DENY rule`),
    'allow.ingress': exact('the CNI allows the L4 part; an AuthorizationPolicy ALLOW rule (principals, namespaces, ipBlocks) decides the TCP part'),
    'allow.http': exact(ambient
      ? 'AuthorizationPolicy with targetRefs to the workload\'s Service, enforced by the namespace\'s waypoint (a Gateway of class istio-waypoint); the workload\'s ztunnel admits only the waypoint on those ports, so the allowed requests are served through the Service and connections to the pod IPs on those ports are denied (ztunnel cannot check HTTP). Methods and paths (exact, or prefix as `p*`); the query string is ignored. TCP ports only'
      : 'AuthorizationPolicy operation methods and paths (exact, or prefix as `p*`), enforced by the sidecar; the query string is ignored; the CNI allows the ports at L4. TCP ports only'),
    'peer.service-account': exact('principals `<trust domain>/ns/<ns>/sa/<sa>` (mTLS identity; plaintext clients never match). A CNI that cannot select service accounts allows the pods by namespace and labels at L4 on TCP ports, where Istio checks the identity'),
    'subject.service-account': usable(cni['subject.service-account'])
      ? cni['subject.service-account']
      : exact(`egress only: the ${options.cniFactory} CNI renders a source-side egress allowance for the pods' labels at L4 when Istio decides at the destination (checked); Istio cannot select protected pods by service account`),
    'stage.audit': exact(`ingress: istio.io/dry-run "true"${ambient ? ' (Istio >= 1.25: older ztunnels enforce dry-run policies)' : ''}, and the CNI renders it staged when it can observe, otherwise not at all (an audit statement allows and denies nothing); egress: ${cni['stage.audit'].reason}`),
    'port.range': exact(`CNI: ${cni['port.range'].reason}; Istio: spelled out as a port list (at most ${MAX_EXPANDED_RANGE} ports per range)`),
    'mtls.strict': exact('PeerAuthentication mtls.mode STRICT: namespace-wide without selector, or with the workload\'s selector'),
    'mtls.permissive': exact('PeerAuthentication mtls.mode PERMISSIVE'),
    'mtls.port-exception': exact('PeerAuthentication portLevelMtls (container ports) with the workload\'s selector'),
  };
}
