import { IConstruct } from 'constructs';
import { usable } from '../../dialects/istio/capabilities';
import { AMBIENT_PROBE_SOURCES, GATEWAY_NAME_LABEL, HBONE_PORT, ISTIOD_XDS_PORT, IstioDialectOptions } from '../../dialects/istio/options';
import { IstioDialect } from '../../dialects/istio/render';
import { istioPorts } from '../../dialects/istio/sources';
import { WaypointPorts, waypointPorts } from '../../dialects/istio/waypoint-ports';
import { PolicyCompiler } from '../../engine/compiler';
import { Engine } from '../../engine/engine';
import { AllowStatement, EVERYTHING, IsolateStatement, labelSelector, MtlsStatement, OriginModel, PeerModel, PortModel, Statement } from '../../model';
import { AnalysisInputError } from '../ir/analysis-input-error';
import { AnalysisPolicy, DirectionalRules, PeerMatch, PolicyRule, PortMatch, WaypointTarget } from '../ir/analysis-policy';
import { PeerAuthenticationSpec } from '../ir/peer-authentication';
import { SELECT_ALL, selectorFromLabelSelector } from '../ir/selector';
import { ISTIO_PEER_AUTHENTICATION_TIER } from '../parse/istio-readers';
import { translateIntent } from '../translate/intent-model';

/**
 * What the intents of the app containing `scope` mean on the app's Istio engine, as analysis
 * policies to evaluate on a cluster model that says each pod's enrollment (docs/ANALYSIS.md "What an
 * intent means on Istio"). Two layers, both of which must allow:
 *
 * - `network`, what the CNI decides: the intent's statements (`translateIntent`) and the mesh's own
 *   plumbing, which is part of what an intent means on Istio — sidecar mode: every pod isolated on
 *   egress reaches istiod on TCP 15012; ambient mode: every pod isolated on ingress admits TCP 15008
 *   (HBONE) from pods of every namespace and TCP from the kubelet probe addresses 169.254.7.127 and
 *   fd16:9254:7127:1337:ffff:ffff:ffff:ffff (istio-cni's SNAT source per IP family), and
 *   an allowance towards pods also allows TCP 15008 to them (an isolating one with TCP ports: to its
 *   pod peers; the source half of an allowance: always), the tunnel its connections travel in.
 *   Like every network layer, the analyzer reads it at TCP 15008 for connections in an HBONE tunnel.
 * - `mesh`, what the intent means of a connection at its application port, wherever the CNI sees
 *   it: the intent's egress (with the plumbing) as above, and its ingress as the destination's proxy
 *   reads it — on TCP only (UDP and SCTP never pass a proxy), with every pod peer an identity, so it
 *   admits only a connection that carries the peer's identity (mTLS): a plaintext client (outside
 *   the mesh, or to a DISABLE port) is admitted only by `anyone` or a CIDR. The analyzer enforces
 *   this layer only at pods in the mesh, and STRICT (the cluster's PeerAuthentications, given with
 *   the policies) rejects plaintext there before it.
 *
 * Pods the cluster model leaves outside the mesh therefore get the intent's CNI part alone (the
 * plumbing included: an isolated pod outside an ambient mesh admits TCP 15008 from every pod).
 *
 * Ambient HTTP allowances (docs/dialects/istio.md "Ambient mode"): the Service an HTTP allowance's pods name is
 * bound to the namespace's waypoint, so a connection addressed to it passes the waypoint, which applies every
 * isolating allowance to those pods (HTTP rules included) with the client's identity (policies bound to the
 * Service, `waypointTargets`); the pods' ztunnel admits the waypoint's identity on those allowances' ports,
 * and no client directly on an HTTP allowance's ports (a connection to the pod IP there is denied). The
 * plumbing gains the source half's TCP 15008 to the waypoint's pods (from the account's namespace by labels on a
 * CNI that cannot select service accounts: the waypoint checks the identity) and the waypoint's own egress
 * (istiod on TCP 15012, every pod on TCP 15008); at the application port (layer `mesh`) the waypoint forwards
 * what its policies admitted, so its egress there is open.
 *
 * A MutualTls statement means the PeerAuthentication it asks for (layer `mesh`, composed with the
 * cluster's by the analyzer): STRICT rejects every plaintext connection into its pods' ports.
 *
 * @throws AnalysisInputError without exactly one Istio data-plane mode in the app, for an HTTP
 *   allowance in ambient mode whose pods name no Service (no waypoint policy can bind to them), and
 *   for a MutualTls statement whose pods no PeerAuthentication can select (service account, expressions)
 */
export function istioIntentPolicies(scope: IConstruct): AnalysisPolicy[] {
  const options = istioOptionsOf(scope);
  const statements = PolicyCompiler.of(scope).statements();
  const bound = waypointServices(options, statements);
  const network = translateIntent([
    ...statements, ...statements.flatMap((s) => meshPlumbing(options, s, statements, bound)), ...waypointPlumbing(options, statements, bound),
  ]);
  const egress = network.flatMap(({ ingress: _ingress, ...p }): AnalysisPolicy[] => (p.egress ? [{ ...p, layer: 'mesh', ref: meshRef(p, 'egress') }] : []));
  const ingress = translateIntent(statements.flatMap((s) => atZtunnel(options, s, bound)))
    .flatMap(({ egress: _egress, ...p }): AnalysisPolicy[] => (p.ingress ? [{ ...p, layer: 'mesh', ref: meshRef(p, 'ingress'), ingress: asIdentities(p.ingress) }] : []));
  const waypoint = [...statements.flatMap((s) => atWaypoint(s, bound)), ...waypointForwarding(options, statements, bound)];
  const mtls = statements.flatMap((s) => (s.kind === 'mtls' ? [peerAuthenticationOf(s)] : []));
  return [...network, ...egress, ...ingress, ...waypoint, ...mtls];
}

/**
 * Ambient mode: the Services whose connections pass the namespace's waypoint, as `namespace/name` — those an
 * HTTP allowance names (docs/dialects/istio.md "Ambient mode": only a waypoint enforces HTTP rules, bound to the
 * Service with `istio.io/use-waypoint`). An HTTP allowance for pods without a Service has no waypoint policy.
 */
function waypointServices(options: IstioDialectOptions, statements: readonly Statement[]): ReadonlySet<string> {
  const out = new Set<string>();
  if (options.mode !== 'ambient') return out;
  for (const s of statements) {
    // The destination's side carries the HTTP rules (the source's side of an AllowFrom is L4 egress).
    if (s.kind !== 'allow' || !s.http || s.direction !== 'ingress') continue;
    if (s.subject.service === undefined) {
      throw new AnalysisInputError(`${s.origin.path}: an HTTP allowance in ambient mode is enforced only by a waypoint bound to the pods' Service, and these pods name no Service (Workload.select({...}, { service: '<name>' }))`);
    }
    out.add(`${s.subject.namespace}/${s.subject.service}`);
  }
  return out;
}

/** An isolating ingress allowance to the pods of a waypoint-bound Service, with TCP ports (a proxy sees them). */
function throughWaypoint(s: Statement, bound: ReadonlySet<string>): s is AllowStatement & { subject: { service: string } } {
  return s.kind === 'allow' && s.direction === 'ingress' && s.isolating && s.subject.service !== undefined
    && bound.has(`${s.subject.namespace}/${s.subject.service}`) && s.ports.some((p) => p.protocol === 'ANY' || p.protocol === 'TCP');
}

/**
 * What a pod's ztunnel admits (ambient; sidecar mode: the statement itself): an allowance to the pods of a
 * waypoint-bound Service also admits the waypoint's identity on its ports (what the waypoint forwards carries
 * it), and an HTTP allowance admits no client directly (ztunnel reads no request: a client addressing the pod
 * IP is denied on those ports, the HTTP rules apply at the waypoint).
 */
function atZtunnel(options: IstioDialectOptions, s: Statement, bound: ReadonlySet<string>): Statement[] {
  if (!throughWaypoint(s, bound)) return [s];
  const { http: _http, ...l4 } = s;
  const waypoint: PeerModel = { kind: 'pods', namespaces: { kind: 'name', name: s.subject.namespace }, pods: EVERYTHING, serviceAccount: options.waypointServiceAccount };
  const mapped = viaService(s);
  // The waypoint forwards to the container ports some Service port reaches: its identity is admitted there only.
  const ports = mapped.target === 'all' ? s.ports : [...s.ports.filter((p) => p.protocol !== 'TCP'), ...tcpPortModels(mapped.target)];
  const viaWaypoint: AllowStatement = { ...l4, origin: { ...s.origin, path: `${s.origin.path}/via-waypoint` }, peers: [waypoint], ports };
  const admitted = mapped.target === 'all' || mapped.target.length > 0 ? [viaWaypoint] : [];
  return s.http ? admitted : [s, ...admitted];
}

/**
 * What the waypoint applies to connections addressed to the Service (ambient): every allowance to its pods,
 * HTTP rules included, with pod peers as identities (the client's, which the waypoint sees).
 */
function atWaypoint(s: Statement, bound: ReadonlySet<string>): AnalysisPolicy[] {
  if (!throughWaypoint(s, bound)) return [];
  const targets: WaypointTarget[] = [{ kind: 'Service', namespace: s.subject.namespace, name: s.subject.service }];
  // The waypoint matches the Service port (dialects/istio/waypoint-ports.ts): the allowance's container ports as
  // the Service ports that forward to them.
  const mapped = viaService(s);
  if (mapped.service !== 'all' && mapped.service.length === 0) return [];
  const ports = mapped.service === 'all' ? s.ports : tcpPortModels(mapped.service);
  return translateIntent([{ ...s, ports }]).flatMap(({ egress: _egress, ...p }): AnalysisPolicy[] => (p.ingress ? [{
    ...p, layer: 'mesh', ref: meshRef(p, 'waypoint'), subject: { namespaces: { kind: 'names', names: [] }, pods: SELECT_ALL }, ingress: asIdentities(p.ingress), waypointTargets: targets,
  }] : []));
}

/** The ports of an allowance through its Service's waypoint, as the engine renders them (`waypointPorts`). */
function viaService(s: AllowStatement & { subject: { service: string } }): WaypointPorts {
  const mapped = waypointPorts(istioPorts(s.ports).ports, s.subject);
  if (!mapped) {
    throw new AnalysisInputError(`${s.origin.path}: an allowance to the pods of Service ${s.subject.namespace}/${s.subject.service}, which is bound to the waypoint, names container ports, `
      + 'and the waypoint matches Service ports; without the Service\'s ports (Workload.select({...}, { service, servicePorts: [{ port, targetPort }] })) what it admits is not known');
  }
  return mapped;
}

function tcpPortModels(ports: readonly number[]): PortModel[] {
  return ports.map((port) => ({ protocol: 'TCP', port }));
}

/**
 * The waypoint forwards on the application port what its policies admitted (ambient): at the mesh layer its egress is
 * not the namespace's egress intent (which the CNI applies to it at TCP 15008, with its plumbing) but the waypoint's
 * policies, which the Service's path evaluates at the waypoint hop. So the mesh layer lets the waypoint's pods open every
 * connection (a non-isolating allowance: it opens nothing the CNI does not).
 */
function waypointForwarding(options: IstioDialectOptions, statements: readonly Statement[], bound: ReadonlySet<string>): AnalysisPolicy[] {
  const namespaces = [...new Set([...bound].map((key) => key.split('/')[0]))];
  return translateIntent(namespaces.map((namespace): AllowStatement => {
    const owner = statements.find((s): s is AllowStatement => throughWaypoint(s, bound) && s.subject.namespace === namespace) as AllowStatement;
    return {
      kind: 'allow',
      stage: 'enforce',
      subject: { namespace, pods: labelSelector({ [GATEWAY_NAME_LABEL]: options.waypointName }) },
      isolating: false,
      purpose: 'traffic',
      direction: 'egress',
      origin: plumbingOrigin(owner, 'waypoint-forwards'),
      peers: [{ kind: 'anyone' }],
      ports: [{ protocol: 'ANY' }],
    };
  })).map((p) => ({ ...p, layer: 'mesh', ref: meshRef(p, 'egress') }));
}

/**
 * The waypoint's own egress in each namespace with a waypoint-bound Service (ambient; docs/dialects/istio.md "Mesh
 * plumbing"): istiod on TCP 15012 and pods of every namespace on TCP 15008, where something isolates the
 * waypoint's pods (non-isolating).
 */
function waypointPlumbing(options: IstioDialectOptions, statements: readonly Statement[], bound: ReadonlySet<string>): AllowStatement[] {
  const namespaces = [...new Set([...bound].map((key) => key.split('/')[0]))];
  return namespaces.flatMap((namespace): AllowStatement[] => {
    const owner = statements.find((s): s is AllowStatement => throughWaypoint(s, bound) && s.subject.namespace === namespace) as AllowStatement;
    const base = {
      kind: 'allow' as const,
      stage: 'enforce' as const,
      subject: { namespace, pods: labelSelector({ [GATEWAY_NAME_LABEL]: options.waypointName }) },
      isolating: false,
      purpose: 'traffic' as const,
      direction: 'egress' as const,
    };
    const istiod: PeerModel = { kind: 'pods', namespaces: { kind: 'name', name: options.istiodNamespace }, pods: labelSelector({ ...options.istiodLabels }) };
    return [
      { ...base, origin: plumbingOrigin(owner, 'waypoint-istiod'), peers: [istiod], ports: [{ protocol: 'TCP', port: ISTIOD_XDS_PORT }] },
      { ...base, origin: plumbingOrigin(owner, 'waypoint-hbone'), peers: [{ kind: 'pods', namespaces: { kind: 'all' }, pods: EVERYTHING }], ports: [{ protocol: 'TCP', port: HBONE_PORT }] },
    ];
  });
}

/**
 * A MutualTls statement as the PeerAuthentication it asks for: its pods (by labels: Istio selects workloads by
 * labels only) accept connections in its mode, each exception port in its own.
 */
function peerAuthenticationOf(s: MtlsStatement): AnalysisPolicy {
  const { namespace, pods, serviceAccount } = s.subject;
  if (serviceAccount !== undefined || pods.matchExpressions.length > 0) {
    throw new AnalysisInputError(`${s.origin.path}: a MutualTls statement for pods chosen by service account or label expressions has no PeerAuthentication (Istio selects workloads by labels only)`);
  }
  const workload = Object.keys(pods.matchLabels).length > 0;
  const spec: PeerAuthenticationSpec = {
    level: workload ? 'workload' : 'namespace',
    namespace,
    name: s.origin.path,
    ...(workload ? { selector: { ...pods.matchLabels } } : {}),
    mode: s.mode,
    portModes: s.portExceptions.map((e) => ({ port: e.port, mode: e.mode })),
  };
  return {
    ref: { kind: s.origin.intent, namespace, name: s.origin.path },
    layer: 'mesh',
    tier: ISTIO_PEER_AUTHENTICATION_TIER,
    enforced: true,
    subject: { namespaces: { kind: 'names', names: [namespace] }, pods: selectorFromLabelSelector(pods.matchLabels, undefined) },
    peerAuthentication: spec,
  };
}

/** The options of the app's Istio engines, which must agree on the data-plane mode. */
function istioOptionsOf(scope: IConstruct): IstioDialectOptions {
  const found = new Map<string, IstioDialectOptions>();
  for (const construct of scope.node.root.node.findAll()) {
    const dialect = Engine.tryOf(construct)?._dialect;
    if (dialect instanceof IstioDialect) found.set(dialect.mode, dialect.meshOptions);
  }
  if (found.size !== 1) {
    throw new AnalysisInputError(`${scope.node.path || 'app'}: expected one Istio data-plane mode among the app's engines, got ${found.size === 0 ? 'no Istio engine' : [...found.keys()].join(' and ')}`);
  }
  return [...found.values()][0];
}

/**
 * The mesh's own traffic a statement's isolation needs, as documented (docs/dialects/istio.md "Plumbing";
 * written here from the documentation, not taken from the renderer, which the comparison checks): sidecar
 * mode, egress: istiod on TCP 15012 (xDS and certificates); ambient mode, ingress: TCP 15008 (HBONE) from
 * pods of every namespace, and TCP from the kubelet probe addresses 169.254.7.127 (IPv4) and
 * fd16:9254:7127:1337:ffff:ffff:ffff:ffff (IPv6); ambient mode, allowances
 * towards pods: TCP 15008 to them.
 */
function meshPlumbing(
  options: IstioDialectOptions, s: Statement, statements: readonly Statement[], bound: ReadonlySet<string>,
): Statement[] {
  if (s.kind !== 'isolate' && s.kind !== 'allow') return [];
  const directions = s.kind === 'isolate' ? s.directions : s.isolating ? [s.direction] : [];
  const base = { kind: 'allow' as const, stage: s.stage, subject: s.subject, isolating: true, purpose: 'traffic' as const };
  const own = directions.flatMap((direction): AllowStatement[] => {
    if (options.mode === 'sidecar' && direction === 'egress') {
      const istiod: PeerModel = { kind: 'pods', namespaces: { kind: 'name', name: options.istiodNamespace }, pods: labelSelector({ ...options.istiodLabels }) };
      return [{ ...base, origin: plumbingOrigin(s, 'istiod'), direction, peers: [istiod], ports: [{ protocol: 'TCP', port: ISTIOD_XDS_PORT }] }];
    }
    if (options.mode === 'ambient' && direction === 'ingress') {
      return [
        { ...base, origin: plumbingOrigin(s, 'hbone'), direction, peers: [{ kind: 'pods', namespaces: { kind: 'all' }, pods: EVERYTHING }], ports: [{ protocol: 'TCP', port: HBONE_PORT }] },
        { ...base, origin: plumbingOrigin(s, 'probes'), direction, peers: AMBIENT_PROBE_SOURCES.map((cidr): PeerModel => ({ kind: 'cidr', cidr, except: [] })), ports: [{ protocol: 'TCP' }] },
      ];
    }
    return [];
  });
  return s.kind === 'allow' ? [...own, ...hboneTowards(options, s, statements, bound)] : own;
}

function plumbingOrigin(s: AllowStatement | IsolateStatement, purpose: string): OriginModel {
  return { ...s.origin, path: `${s.origin.path}/mesh-${purpose}` };
}

/**
 * Ambient: the tunnel (TCP 15008) towards the pods an egress allowance reaches, and for the source half of an
 * allowance to the pods of a waypoint-bound Service also towards the namespace's waypoint pods.
 */
function hboneTowards(
  options: IstioDialectOptions, s: AllowStatement, statements: readonly Statement[], bound: ReadonlySet<string>,
): AllowStatement[] {
  if (options.mode !== 'ambient' || s.direction !== 'egress' || s.purpose !== 'traffic') return [];
  const hbone: PortModel = { protocol: 'TCP', port: HBONE_PORT };
  const pods = s.peers.filter((p) => p.kind === 'pods');
  const sourceHalf = !s.isolating && pods.length === s.peers.length && s.peers.every((p) => p.kind === 'pods' && p.namespaces.kind === 'name');
  if (sourceHalf) {
    const destination = statements.find((x) => x.kind === 'allow' && x.direction === 'ingress' && x.origin.path === s.origin.path);
    // The tunnel to the waypoint carries connections whose identity the waypoint checks (the Service's rows): on a CNI
    // that cannot select service accounts it leaves from the account's pods by namespace and labels, as the source side
    // of an allowance from a service account does (docs/dialects/istio.md "How the two layers add up to the model", 3).
    const accounts = usable(options.cni.capabilities['subject.service-account']) || !s.ports.every((p) => p.protocol === 'TCP');
    const subject = accounts || !s.subject.serviceAccount ? s.subject : { namespace: s.subject.namespace, pods: s.subject.pods };
    const toWaypoint: AllowStatement[] = destination && throughWaypoint(destination, bound) ? [{
      ...s,
      subject,
      origin: plumbingOrigin(s, 'to-waypoint'),
      peers: [{ kind: 'pods', namespaces: { kind: 'name', name: destination.subject.namespace }, pods: labelSelector({ [GATEWAY_NAME_LABEL]: options.waypointName }) }],
      ports: [hbone],
    }] : [];
    return [{ ...s, ports: [hbone] }, ...toWaypoint];
  }
  const tcp = s.ports.some((p) => p.protocol === 'ANY' || p.protocol === 'TCP');
  return s.isolating && pods.length && tcp ? [{ ...s, peers: pods, ports: [hbone] }] : [];
}

function meshRef(p: AnalysisPolicy, direction: 'ingress' | 'egress' | 'waypoint'): AnalysisPolicy['ref'] {
  return { ...p.ref, name: `${p.ref.name}/mesh-${direction}` };
}

const NOT_INTERCEPTED: PolicyRule = { label: '(UDP and SCTP: no proxy sees them)', action: 'allow', ports: [{ protocol: 'UDP' }, { protocol: 'SCTP' }] };

/** Ingress as a mesh proxy reads it: TCP only, pod peers as identities (mTLS only). */
function asIdentities(rules: DirectionalRules): DirectionalRules {
  const tcpRules = rules.rules.flatMap((rule): PolicyRule[] => {
    const ports = tcpPorts(rule.ports);
    if (ports.length === 0) return [];
    const peers = rule.peers?.map((peer): PeerMatch => (peer.kind === 'pods' ? { ...peer, requiresMtls: true } : peer));
    return [{ ...rule, ...(peers ? { peers } : {}), ports }];
  });
  return { isolates: rules.isolates, rules: rules.isolates ? [NOT_INTERCEPTED, ...tcpRules] : tcpRules };
}

function tcpPorts(ports: readonly PortMatch[] | undefined): PortMatch[] {
  if (ports === undefined) return [{ protocol: 'TCP' }];
  return ports.flatMap((p) => (p.protocol === 'TCP' ? [p] : p.protocol === 'ANY' ? [{ ...p, protocol: 'TCP' as const }] : []));
}
