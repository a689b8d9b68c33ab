import { IstioAppView } from './app-view';
import { istioCapabilities, usable } from './capabilities';
import { egressWidening, EgressGuardContext, mtlsConflicts, mtlsDuplicates, isPlaintextPeer, statementsOf } from './guards';
import { HBONE_PORT, IstioDialectOptions } from './options';
import { subjectPlumbing, suffixed, waypointPlumbing, waypointPods } from './plumbing';
import { covers, mayOverlap } from './pod-sets';
import { istioOperations, istioPorts, istioRule, istioSeesTcp, istioSources, onlyTcp, principal, SourceProblem } from './sources';
import { sameServicePorts, servicePortsToString, waypointPorts } from './waypoint-ports';
import { toJson_GatewaySpec } from '../../imports/gateway-gateway.networking.k8s.io';
import { AuthorizationPolicySpec, AuthorizationPolicySpecAction, toJson_AuthorizationPolicySpec } from '../../imports/istio-ap-security.istio.io';
import { PeerAuthenticationSpec, PeerAuthenticationSpecMtlsMode, PeerAuthenticationSpecPortLevelMtlsMode, toJson_PeerAuthenticationSpec } from '../../imports/istio-pa-security.istio.io';
import {
  AllowStatement, DirectionModel, isEverything, IsolateStatement, MtlsStatement, OriginModel, PeerModel, peerToString, PodSetModel, podSetToString,
  PortModel, Statement, statementToString,
} from '../../model';
import { CapabilityTable } from '../capability';
import { AppStatement, Dialect, RenderContext, RenderedObject } from '../dialect';
import { FEATURE_DESCRIPTIONS, featuresOf } from '../feature';
import { allowSubjects } from '../source-half';

const DRY_RUN = { 'istio.io/dry-run': 'true' };

/**
 * A layered engine: Istio (security.istio.io/v1 AuthorizationPolicy and
 * PeerAuthentication, plus a Gateway API waypoint in ambient mode) decides
 * identity, mTLS and HTTP on ingress TCP; the CNI dialect it is layered on
 * renders L3/L4 — default deny in both directions, DNS, CIDR egress and the
 * L4 part of every allowance — and the mesh's own plumbing. A connection is
 * allowed iff both layers allow it, and the renderer keeps that conjunction
 * equal to the model:
 *
 * - Istio is exact for every TCP ingress allowance (same sources, ports and
 *   HTTP rules), so the CNI may be wider there (no HTTP rules, which Istio
 *   enforces and which the CNI could not see inside mTLS anyway; pods by
 *   labels where it cannot select a service account).
 * - UDP and SCTP never pass a mesh proxy: the CNI alone decides them, exactly.
 * - Egress is the CNI's alone (Istio has no egress authorization); where the
 *   CNI must be wider (ambient HBONE, accounts it cannot select), `check`
 *   proves the destination's Istio policy makes the result exact, or fails.
 * - Identity rules (principals, namespaces) only match mesh clients: the
 *   engine assumes every pod the intent names is in the mesh. Plaintext
 *   clients are denied by them whatever the mTLS mode (ALLOW rules fail
 *   closed; this engine never renders DENY rules).
 *
 * @see docs/dialects/istio.md
 */
export class IstioDialect implements Dialect {
  public readonly name: string;
  public readonly capabilities: CapabilityTable;
  /** The indexed view of each app's statements (keyed by the app's statement list). */
  private readonly views = new WeakMap<readonly AppStatement[], IstioAppView>();

  constructor(private readonly options: IstioDialectOptions) {
    this.name = `istio-${options.mode}-${options.cni.name}`;
    this.capabilities = istioCapabilities(options);
  }

  /** The same engine whose Istio layer only observes (`observe`) or renders no AuthorizationPolicy (`none`). */
  public withMeshPolicies(meshPolicies: 'observe' | 'none'): IstioDialect {
    return new IstioDialect({ ...this.options, meshPolicies });
  }

  /** The mode (for engines derived from this one). */
  public get mode(): IstioDialectOptions['mode'] {
    return this.options.mode;
  }

  /** The engine's options (mode, istiod, waypoint), for what its intents mean (`analysis/intent/istio-intent-meaning.ts`). */
  public get meshOptions(): IstioDialectOptions {
    return this.options;
  }

  /** The mesh's trust domain its principals are written in (the analyzer reads them with it). */
  public get trustDomain(): string {
    return this.options.trustDomain;
  }

  /** Whether the CNI layer renders audit-stage policies (staged), so that egress intents can be observed before they are enforced. */
  public get cniCanStage(): boolean {
    return usable(this.options.cni.capabilities['stage.audit']);
  }

  public check(s: Statement, ctx: RenderContext): string[] {
    const out: string[] = [];
    for (const c of this.cniStatements(s, ctx)) {
      out.push(...this.cniProblems(c), ...(this.options.cni.check?.(c, ctx) ?? []));
    }
    out.push(...this.istioProblems(s, ctx));
    return [...new Set(out)];
  }

  public render(s: Statement, ctx: RenderContext): RenderedObject[] {
    const cni = this.cniStatements(s, ctx).flatMap(c => this.options.cni.render(c, ctx));
    return [...cni, ...this.istioObjects(s, ctx)];
  }

  // ---------------------------------------------------------------- CNI layer

  /** What the CNI renders for a statement: its L3/L4 part and the mesh plumbing it needs, lowered for the CNI. */
  private cniStatements(s: Statement, ctx: RenderContext): Statement[] {
    const cni = this.options.cni;
    return this.cniParts(s, ctx).map(c => (cni.lower ? cni.lower(c) : c));
  }

  private cniParts(s: Statement, ctx: RenderContext): Statement[] {
    const canStage = usable(this.options.cni.capabilities['stage.audit']);
    switch (s.kind) {
      case 'mtls':
        return [];
      case 'isolate-cluster':
      case 'allow-cluster':
        return [s];
      case 'cluster-rule':
        return []; // refused by the Istio layer (istioProblems)
      case 'isolate': {
        if (s.stage === 'audit' && !canStage) {
          // Observed by Istio's dry-run on ingress; egress cannot be observed without a staging CNI (the CNI check says so).
          return s.directions.includes('egress') ? [s] : [];
        }
        return [s, ...s.directions.flatMap(d => this.plumbingFor(s, d, ctx))];
      }
      case 'allow': {
        if (s.direction === 'ingress') {
          // The waypoint's own egress, where something isolates it (non-isolating, so always enforced); for an
          // audit-stage owner on a CNI that stages, also staged, so that a preview of the isolation includes it.
          const stages: ('enforce' | 'audit')[] = s.stage === 'audit' && canStage ? ['enforce', 'audit'] : ['enforce'];
          const waypoint = !this.gatewayOwner(s, ctx) ? []
            : stages.flatMap(stage => waypointPlumbing(this.options, s.subject.namespace, s.origin, stage).map(p => p.statement));
          if (s.stage === 'audit' && !canStage) return waypoint;
          return [this.cniIngress(s), ...(s.isolating ? this.plumbingFor(s, 'ingress', ctx) : []), ...waypoint];
        }
        // A source-side allowance in audit stage has nothing to observe where the CNI cannot observe the isolation it serves.
        if (s.stage === 'audit' && !canStage && !s.isolating) return [];
        return [...this.cniEgress(s, ctx), ...(s.isolating ? this.plumbingFor(s, 'egress', ctx) : [])];
      }
    }
  }

  /** The L4 part of an ingress allowance: no HTTP rules (Istio enforces them); accounts dropped where Istio checks them. */
  private cniIngress(s: AllowStatement): AllowStatement {
    const dropAccounts = !usable(this.options.cni.capabilities['peer.service-account']) && onlyTcp(s.ports);
    const peers = dropAccounts ? s.peers.map(withoutAccount) : s.peers;
    return withoutHttp({ ...s, peers });
  }

  private cniEgress(s: AllowStatement, ctx: RenderContext): Statement[] {
    const sourceHalf = !s.isolating && s.purpose === 'traffic' && s.peers.every(p => p.kind === 'pods' && p.namespaces.kind === 'name');
    if (!sourceHalf) {
      // Ambient: an egress allowance to pods (AllowTo) leaves the source as HBONE to the destination pods,
      // whose ztunnel decides the application port (guarded in check: the destinations must be isolated).
      const pods = s.peers.filter(p => p.kind === 'pods');
      // UDP and SCTP are not tunnelled: only an allowance with TCP needs the HBONE port.
      if (this.options.mode !== 'ambient' || !s.isolating || s.purpose !== 'traffic' || !pods.length || !istioSeesTcp(s.ports)) return [s];
      return [s, { ...s, origin: suffixed(s.origin, 'hbone'), peers: pods, ports: [{ protocol: 'TCP', port: HBONE_PORT }] }];
    }
    let subject = s.subject;
    if (subject.serviceAccount && !usable(this.options.cni.capabilities['subject.service-account']) && onlyTcp(s.ports)) {
      subject = { namespace: subject.namespace, pods: subject.pods }; // the destination's Istio policy checks the identity (guarded in check)
    }
    if (this.options.mode !== 'ambient') return [{ ...s, subject }];
    // Ambient: the source's ztunnel tunnels the connection to the destination pod (or its waypoint) on HBONE.
    const hbone: PortModel = { protocol: 'TCP', port: HBONE_PORT };
    const ports = s.ports.some(p => p.protocol === 'ANY' || (p.protocol === 'TCP' && p.port === undefined)) ? s.ports : [...s.ports, hbone];
    const out: Statement[] = [{ ...s, subject, ports }];
    const own = this.view(ctx).ingressOf(s.origin.path)[0];
    if (own && this.isWaypointBound(own, ctx)) {
      out.push({
        ...s,
        subject,
        origin: suffixed(s.origin, 'to-waypoint'),
        peers: [{ kind: 'pods', namespaces: { kind: 'name', name: own.subject.namespace }, pods: waypointPods(this.options, own.subject.namespace).pods }],
        ports: [hbone],
      });
    }
    return out;
  }

  /**
   * The plumbing an isolation needs, rendered once per pod set and stage: by
   * one statement that isolates the pods, or nothing when the whole namespace
   * is isolated in that direction and stage (its plumbing covers them). Which
   * statement holds it never depends on the order of the intents: the one of
   * the first construct path (names do not depend on it at all).
   */
  private plumbingFor(s: IsolateStatement | AllowStatement, direction: DirectionModel, ctx: RenderContext): Statement[] {
    const isolators = this.view(ctx).isolators(direction, s.stage, s.subject.namespace);
    const namespaceWide = isolators.filter(x => isEverything(x.subject.pods) && !x.subject.serviceAccount);
    const owner = firstByPath(namespaceWide.length ? namespaceWide : isolators.filter(x => podSetToString(x.subject) === podSetToString(s.subject)));
    if (owner !== s) return [];
    return subjectPlumbing(this.options, s.subject, direction, s.origin, s.stage).map(p => p.statement);
  }

  private cniProblems(c: Statement): string[] {
    const cni = this.options.cni;
    return featuresOf(c).flatMap(f => {
      const cap = cni.capabilities[f];
      if (usable(cap)) return [];
      const what = `the ${cni.name} CNI layer of the ${this.name} engine cannot express ${FEATURE_DESCRIPTIONS[f]}`;
      if (cap.level === 'approximate') {
        const exactly = cap.exactly?.replace('use an engine that selects service accounts exactly', 'layer Istio on a CNI that selects service accounts exactly') ?? 'use a CNI that can';
        return [`${what} exactly (${cap.reason}); in: ${statementToString(c)}. Fix: ${exactly}; or opt into the approximation with ${cap.optIn?.option}, which widens the policy: ${cap.optIn?.widening}.`];
      }
      const fix = f === 'stage.audit'
        ? 'Istio observes ingress only: layer Istio on a CNI with staged policies (Engine.calico()), audit only the ingress side (DefaultDeny with directions: [PolicyDirection.INGRESS]), or set stage: PolicyStage.ENFORCE'
        : cap.fix ?? 'use a CNI that supports it';
      return [`${what} (${cap.reason}); in: ${statementToString(c)}. Fix: ${fix}.`];
    });
  }

  // -------------------------------------------------------------- Istio layer

  private istioProblems(s: Statement, ctx: RenderContext): string[] {
    // Only problems print the statement: `where()` is called once per problem, never per statement.
    const where = () => `in: ${statementToString(s)}`;
    const cannot = (what: string, reason: string, fix: string) => `the ${this.name} engine cannot express ${what} (${reason}); ${where()}. Fix: ${fix}.`;
    switch (s.kind) {
      case 'isolate-cluster':
        return [cannot('a cluster-wide default deny', 'the mesh plumbing (istiod, HBONE, probes) and the Istio baseline are rendered per namespace, and a cluster-wide isolation would break the mesh in namespaces no intent names', 'use DefaultDeny or ZeroTrustNamespace per namespace')];
      case 'cluster-rule':
        return [cannot('a cluster-wide admin rule', 'the mesh plumbing (istiod, HBONE, probes) is rendered per namespace, and an admin rule that denies or always allows connections of every namespace would decide the mesh\'s own connections too', 'attach the CNI engine itself (Engine.calico(), Engine.cilium() or Engine.kubernetes({ clusterNetworkPolicy })) to the constructs of the cluster-wide rules')];
      case 'allow-cluster':
        return s.direction === 'ingress'
          ? [cannot('a cluster-wide ingress allowance', 'an Istio ALLOW policy in the root namespace applies to every workload of the mesh and would isolate the excepted namespaces too', 'use AllowFrom per namespace')]
          : [];
      case 'mtls':
        return [...this.subjectProblems(s.subject, cannot), ...this.mtlsProblems(s, ctx, cannot)];
      case 'isolate':
        return s.directions.includes('ingress') ? this.subjectProblems(s.subject, cannot) : [];
      case 'allow':
        return s.direction === 'ingress' ? this.ingressProblems(s, ctx, cannot, where) : [...this.ambientEgressProblems(s, ctx, cannot), ...egressWidening(s, this.guardContext(ctx))];
    }
  }

  private ingressProblems(s: AllowStatement, ctx: RenderContext, cannot: (w: string, r: string, f: string) => string, where: () => string): string[] {
    const out: string[] = [];
    if (s.isolating) {
      out.push(...this.subjectProblems(s.subject, cannot));
    } else {
      // The destination side of an AllowTo: an ALLOW policy for the pods something else already isolates (in Istio
      // too: every isolation of pods renders an ALLOW policy for them), so it adds connections and isolates nothing.
      for (const subject of allowSubjects(s, ctx)) out.push(...this.subjectProblems(subject, cannot));
      if (this.options.mode === 'ambient') {
        const bound = this.waypointBoundOverlapping(s.subject, ctx);
        if (bound) {
          out.push(cannot(`an egress allowance to pods whose Service is bound to the waypoint (${podSetToString(bound.subject)}, Service ${bound.subject.service}, from ${bound.origin.path})`,
            'connections to the Service pass the waypoint, whose policies are per Service (targetRefs), and an allowance written from the client\'s side does not know the Service',
            `say it from the destination's side: new AllowFrom(scope, 'id', { to: Workload.select({...}, { service: '${bound.subject.service}' }), peers: [...], ports: [...] }), or use IstioMode.SIDECAR`));
        }
      }
    }
    if (s.http && !onlyTcp(s.ports)) {
      out.push(cannot('HTTP rules on non-TCP ports', 'HTTP runs over TCP, and UDP, SCTP or "all traffic" never pass the mesh proxy that checks the rules, so the CNI would allow them whole', 'list TCP ports only (e.g. Port.tcp(8080)) for an allowance with http, and allow other protocols in a separate AllowFrom'));
    }
    if (istioSeesTcp(s.ports)) {
      const problems: SourceProblem[] = [...istioSources(this.options, s.peers).problems, ...istioPorts(s.ports).problems];
      for (const p of problems) {
        out.push(p.optIn
          ? `the ${this.name} engine cannot express ${p.what} exactly (${p.reason}); ${where()}. Fix: ${p.fix}, or opt into the approximation with ${p.optIn.option}, which widens the policy: ${p.optIn.widening}.`
          : cannot(p.what, p.reason, p.fix));
      }
      if (this.options.mode === 'ambient' && s.http) {
        if (!s.subject.service) {
          out.push(cannot('HTTP rules for pods without a Service', 'in ambient mode only a waypoint enforces HTTP rules, and waypoint policies bind to a Service (targetRefs); a selector policy with HTTP rules would make ztunnel deny everything', `name the Service that fronts the pods: Workload.select({...}, { service: '<service name>' }), and label that Service istio.io/use-waypoint=${this.options.waypointName}`));
        }
        const plain = s.peers.filter(isPlaintextPeer);
        if (plain.length) {
          out.push(cannot(`HTTP rules for clients outside the mesh (${plain.map(peerToString).join('; ')})`, 'in ambient mode HTTP rules are enforced by the waypoint, and clients outside the mesh never pass through it, so they could only be denied', 'allow mesh identities (Peer.serviceAccount(), Peer.namespace()) for the HTTP rules, or use IstioMode.SIDECAR'));
        }
      }
      if (s.isolating && this.isWaypointBound(s, ctx)) out.push(...this.waypointPortProblems(s, ctx, cannot));
    }
    out.push(...mtlsConflicts(s, this.view(ctx).mtlsIn(s.subject.namespace)));
    return out;
  }

  /**
   * Ambient, an allowance rendered on the waypoint: its ports are container ports, the waypoint matches Service ports
   * (`waypoint-ports.ts`), so the Service's ports must be declared, agree wherever the Service is named, and an HTTP
   * allowance's ports must each be the target of a Service port (else its rules could never take effect).
   */
  private waypointPortProblems(s: AllowStatement, ctx: RenderContext, cannot: (w: string, r: string, f: string) => string): string[] {
    const service = s.subject.service!;
    const ports = istioPorts(s.ports).ports;
    const mapped = waypointPorts(ports, s.subject);
    const out: string[] = [];
    if (!mapped) {
      out.push(cannot(`an allowance on TCP ${(ports as readonly number[]).join(', ')} to the pods of Service ${s.subject.namespace}/${service}, which is bound to the waypoint, without the Service's ports`,
        'the waypoint matches AuthorizationPolicy ports against the Service port the client connects to (ztunnel tunnels the Service VIP and port to it, and its filter chains are per Service port), while the allowance names container ports, and a Service may forward port 80 to 8080',
        `declare the Service's TCP ports as its spec.ports says: Workload.select({...}, { service: '${service}', servicePorts: [{ port: 80, targetPort: 8080 }] }) — { port: 8080 } where the port equals its targetPort`));
      return out;
    }
    const declared = s.subject.servicePorts;
    const other = declared === undefined ? undefined : this.view(ctx).allowsIn('ingress', s.subject.namespace)
      .find(x => x.subject.service === service && x.subject.servicePorts !== undefined && !sameServicePorts(x.subject.servicePorts, declared));
    if (other) {
      out.push(cannot(`two declarations of the ports of Service ${s.subject.namespace}/${service} (${servicePortsToString(s.subject.servicePorts!)}; and ${servicePortsToString(other.subject.servicePorts!)} from ${other.origin.path})`,
        'one Service has one list of ports, and the waypoint policies of both allowances are rendered from it',
        'declare the same servicePorts on every Workload that names the Service (one Workload object, reused, says it once)'));
    }
    if (s.http && mapped.unmapped.length) {
      out.push(cannot(`HTTP rules on TCP ${mapped.unmapped.join(', ')} of the pods of Service ${s.subject.namespace}/${service}, which no port of the Service forwards to (its ports: ${servicePortsToString(s.subject.servicePorts!)})`,
        'in ambient mode only the waypoint enforces HTTP rules, and only connections addressed to the Service pass it; a connection to the pod IP on these ports is denied',
        'list the Service port that forwards to the container port in servicePorts, or allow only ports the Service serves'));
    }
    return out;
  }

  /**
   * Ambient: the source's ztunnel sends every connection to a mesh pod as HBONE (TCP 15008), so the CNI cannot
   * limit the application port of an egress allowance to pods (AllowTo); only the destination's ztunnel can. It
   * is exact where every destination pod is ingress-isolated in Istio (its ALLOW policies, with the destination
   * side of this allowance, then decide every port), else it fails.
   */
  private ambientEgressProblems(s: AllowStatement, ctx: RenderContext, cannot: (w: string, r: string, f: string) => string): string[] {
    if (this.options.mode !== 'ambient' || !s.isolating || s.purpose !== 'traffic' || !istioSeesTcp(s.ports)) return [];
    const exactly = 'use IstioMode.SIDECAR, or a CNI engine (Engine.cilium(), Engine.calico(), Engine.kubernetes()), which express it exactly';
    const out: string[] = [];
    for (const p of s.peers) {
      if (p.kind === 'anyone') {
        out.push(cannot('egress to anyone on TCP', 'in ambient mode a TCP connection to a mesh pod leaves the source as HBONE (TCP 15008), whatever its port, and only the destination\'s ztunnel can check the port; allowing anyone on the application ports would block every mesh pod, and allowing HBONE to every pod would admit every port of the pods nothing isolates',
          `allow the addresses outside the cluster with a CIDR that excepts the pod and Service CIDRs (Peer.cidr('0.0.0.0/0', ['<pod CIDR>', '<Service CIDR>'])) and the mesh pods by namespace (Peer.namespace('<name>')), whose ingress you isolate; or ${exactly}`));
        continue;
      }
      if (p.kind !== 'pods') continue;
      if (p.namespaces.kind !== 'name') {
        out.push(cannot(`egress to ${peerToString(p)}`, 'in ambient mode the CNI sees every connection to a mesh pod as HBONE (TCP 15008), whatever its port, and only the destination\'s ztunnel can check the port; pods chosen by namespace labels or in every namespace have no ztunnel policy this engine renders',
          `name the destination namespace (Peer.namespace('<name>'), Peer.workload(Workload.select({...}, { namespace: '<name>' }))), or ${exactly}`));
        continue;
      }
      const dest: PodSetModel = { namespace: p.namespaces.name, pods: p.pods, ...(p.serviceAccount ? { serviceAccount: p.serviceAccount } : {}) };
      const isolated = [...this.view(ctx).isolators('ingress', 'enforce', dest.namespace), ...(s.stage === 'audit' ? this.view(ctx).isolators('ingress', 'audit', dest.namespace) : [])]
        .some(x => covers(x.subject, dest)); // every ingress isolation renders an ALLOW policy for its pods (UDP-only ones the baseline)
      if (!isolated) {
        out.push(cannot(`egress to ${podSetToString(dest)}, whose ingress nothing isolates`, 'in ambient mode the CNI sees every connection to a mesh pod as HBONE (TCP 15008), whatever its port, and a destination without an ALLOW policy admits every port, so the workload could connect on ports the intent denies',
          `isolate the destination's ingress too (new DefaultDeny(scope, 'id', { namespace: '${dest.namespace}' }) or a ZeroTrustNamespace), so that its ztunnel checks this allowance; or ${exactly}`));
      }
    }
    return out;
  }

  private subjectProblems(subject: PodSetModel, cannot: (w: string, r: string, f: string) => string): string[] {
    const out: string[] = [];
    if (subject.serviceAccount && !subject.exclusiveServiceAccount) {
      out.push(cannot('selecting the protected pods by service account', 'Istio selects workloads by pod labels only (selector.matchLabels)',
        'if exactly these pods run as the account, declare it: Workload.select({...}, { serviceAccount: \'<account>\', exclusiveServiceAccount: true }), and Istio selects them by their labels; else select the protected pods by their labels only'));
    }
    if (subject.pods.matchExpressions.length) {
      out.push(cannot('set-based label requirements on the protected pods', 'Istio selectors have matchLabels only, no matchExpressions', 'select the protected pods with plain labels (Workload.select({ app: \'...\' })); the CNI engines (Engine.kubernetes(), Engine.cilium(), Engine.calico()) select by set-based requirements exactly'));
    }
    return out;
  }

  private mtlsProblems(s: MtlsStatement, ctx: RenderContext, cannot: (w: string, r: string, f: string) => string): string[] {
    const out: string[] = [];
    if (s.portExceptions.length && isEverything(s.subject.pods) && !s.subject.serviceAccount) {
      out.push(cannot('per-port mTLS exceptions for a whole namespace', 'PeerAuthentication portLevelMtls only takes effect with a workload selector', 'name the pods the exception is for: new MutualTls(scope, \'id\', { workload: Workload.select({...}), ... })'));
    }
    out.push(...mtlsDuplicates(s, this.view(ctx).mtlsIn(s.subject.namespace)));
    return out;
  }

  private istioObjects(s: Statement, ctx: RenderContext): RenderedObject[] {
    if (this.options.meshPolicies === 'none' && s.kind !== 'mtls') return [];
    switch (s.kind) {
      case 'mtls': return [this.peerAuthentication(s, ctx)];
      case 'isolate': return s.directions.includes('ingress') ? [this.baseline(s, ctx)] : [];
      case 'allow': return s.direction !== 'ingress' ? [] : s.isolating ? this.authorization(s, ctx) : this.destinationSide(s, ctx);
      default: return [];
    }
  }

  /** The ALLOW-nothing baseline: `spec: {}` for a namespace, a selector and no rules for some pods. */
  private baseline(s: IsolateStatement, ctx: RenderContext): RenderedObject {
    const spec: AuthorizationPolicySpec = this.selectorOf(s.subject);
    return this.ap(s.origin, ctx.objectName(s.origin), s.subject.namespace, spec, s.stage === 'audit');
  }

  private authorization(s: AllowStatement, ctx: RenderContext): RenderedObject[] {
    if (!istioSeesTcp(s.ports)) {
      // UDP / SCTP never pass a mesh proxy: the CNI alone decides them. But the allowance isolates its pods, and
      // the mesh must deny them every TCP connection no intent allows: in ambient mode the CNI admits all of TCP
      // 15008 (HBONE plumbing) and only ztunnel can refuse it, and a proxy with no ALLOW policy admits everything.
      // So the pods get the ALLOW-nothing baseline, exactly as a DefaultDeny of their ingress would give them.
      return [this.ap(s.origin, ctx.objectName(s.origin, 'ingress'), s.subject.namespace, this.selectorOf(s.subject), s.stage === 'audit')];
    }
    const sources = istioSources(this.options, s.peers).sources;
    const ports = istioPorts(s.ports).ports;
    const rule = istioRule(sources, istioOperations(ports, s.http));
    const audit = s.stage === 'audit';
    const ns = s.subject.namespace;
    const out: RenderedObject[] = [];
    const direct = (): RenderedObject => this.ap(s.origin, ctx.objectName(s.origin, 'ingress'), ns, {
      ...this.selectorOf(s.subject), action: AuthorizationPolicySpecAction.ALLOW, rules: [rule],
    }, audit);
    if (this.options.mode === 'sidecar') return [direct()];
    if (!s.http) out.push(direct()); // ztunnel enforces L4 rules itself
    // The waypoint matches the Service port, ztunnel the container port (waypoint-ports.ts); undeclared Service
    // ports failed synthesis, and an allowance whose ports no Service port reaches has nothing on the waypoint.
    const viaService = this.isWaypointBound(s, ctx) ? waypointPorts(ports, s.subject) : undefined;
    if (viaService && (viaService.service === 'all' || viaService.service.length > 0)) {
      out.push(this.ap(s.origin, ctx.objectName(s.origin, 'waypoint'), ns, {
        targetRefs: [{ kind: 'Service', group: '', name: s.subject.service! }],
        action: AuthorizationPolicySpecAction.ALLOW,
        rules: [istioRule(sources, istioOperations(viaService.service, s.http))],
      }, audit));
      // What reaches the pods through the waypoint carries the waypoint's identity: admit it on these ports only.
      out.push(this.ap(s.origin, ctx.objectName(s.origin, 'via-waypoint'), ns, {
        ...this.selectorOf(s.subject),
        action: AuthorizationPolicySpecAction.ALLOW,
        rules: [istioRule([{ principals: [principal(this.options, ns, this.options.waypointServiceAccount)] }],
          istioOperations(viaService.target, undefined))],
      }, audit));
    }
    if (this.options.createWaypoint && this.gatewayOwner(s, ctx)) out.push(this.gateway(s.origin, ns));
    return out;
  }

  /**
   * The destination side of an AllowTo: one ALLOW policy per isolated part of the destination pods (the same
   * parts the CNI layer selects), sidecar or ztunnel alike (no HTTP rules, so never on the waypoint).
   */
  private destinationSide(s: AllowStatement, ctx: RenderContext): RenderedObject[] {
    if (!istioSeesTcp(s.ports)) return []; // UDP / SCTP: the CNI alone decides
    const rule = istioRule(istioSources(this.options, s.peers).sources, istioOperations(istioPorts(s.ports).ports, undefined));
    const subjects = allowSubjects(s, ctx);
    return subjects.map((subject, i) => this.ap(s.origin, ctx.objectName(s.origin, [`ingress-${subject.namespace}`, subjects.length > 1 ? String(i + 1) : undefined].filter(Boolean).join('-')),
      subject.namespace, { ...this.selectorOf(subject), action: AuthorizationPolicySpecAction.ALLOW, rules: [rule] }, s.stage === 'audit'));
  }

  private peerAuthentication(s: MtlsStatement, ctx: RenderContext): RenderedObject {
    const spec: PeerAuthenticationSpec = {
      ...this.selectorOf(s.subject),
      mtls: { mode: s.mode === 'STRICT' ? PeerAuthenticationSpecMtlsMode.STRICT : PeerAuthenticationSpecMtlsMode.PERMISSIVE },
      ...(s.portExceptions.length ? {
        portLevelMtls: Object.fromEntries(s.portExceptions.map(e => [String(e.port), {
          mode: e.mode === 'STRICT' ? PeerAuthenticationSpecPortLevelMtlsMode.STRICT : PeerAuthenticationSpecPortLevelMtlsMode.PERMISSIVE,
        }])),
      } : {}),
    };
    const name = ctx.objectName(s.origin);
    return {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      name,
      namespace: s.subject.namespace,
      body: { spec: toJson_PeerAuthenticationSpec(spec) },
      id: `peer-authentication-${name}`,
      origin: s.origin,
    };
  }

  private gateway(origin: OriginModel, namespace: string): RenderedObject {
    const spec = toJson_GatewaySpec({
      gatewayClassName: 'istio-waypoint',
      listeners: [{ name: 'mesh', port: HBONE_PORT, protocol: 'HBONE' }],
    });
    return {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      name: this.options.waypointName,
      namespace,
      labels: { 'istio.io/waypoint-for': 'service' },
      body: { spec },
      id: `waypoint-${namespace}`,
      // One waypoint per namespace serves every intent bound to it.
      origin: { ...origin, shared: 'waypoint' },
    };
  }

  private ap(origin: OriginModel, name: string, namespace: string, spec: AuthorizationPolicySpec, stageAudit: boolean): RenderedObject {
    const audit = stageAudit || this.options.meshPolicies === 'observe';
    return {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      name,
      namespace,
      ...(audit ? { annotations: DRY_RUN } : {}),
      body: { spec: toJson_AuthorizationPolicySpec(spec) },
      id: `authorization-policy-${name}`,
      origin,
    };
  }

  private selectorOf(subject: PodSetModel): { selector?: { matchLabels: Record<string, string> } } {
    return isEverything(subject.pods) ? {} : { selector: { matchLabels: { ...subject.pods.matchLabels } } };
  }

  // ---------------------------------------------------------------- app view

  /** The app's statements rendered by this engine, indexed (built once per app). */
  private view(ctx: RenderContext): IstioAppView {
    const all = ctx.statements();
    let view = this.views.get(all);
    if (!view) {
      view = new IstioAppView(statementsOf(all, this.name));
      this.views.set(all, view);
    }
    return view;
  }

  /** Services whose policies are enforced by the namespace's waypoint: those with HTTP rules. */
  private waypointServices(ctx: RenderContext, namespace: string): ReadonlySet<string> {
    if (this.options.mode !== 'ambient') return new Set<string>();
    const view = this.view(ctx);
    return view.remember(`waypoint-services|${namespace}`, () => {
      const out = new Set<string>();
      for (const x of view.allowsIn('ingress', namespace)) {
        if (x.http && x.subject.service) out.add(x.subject.service);
      }
      return out;
    });
  }

  /** A waypoint-bound allowance whose pods may overlap `pods` (ambient), if any. */
  private waypointBoundOverlapping(pods: PodSetModel, ctx: RenderContext): AllowStatement | undefined {
    if (this.options.mode !== 'ambient') return undefined;
    return this.view(ctx).allowsIn('ingress', pods.namespace).find(x => x.isolating && this.isWaypointBound(x, ctx) && mayOverlap(x.subject, pods));
  }

  private isWaypointBound(s: AllowStatement, ctx: RenderContext): boolean {
    return s.subject.service !== undefined && this.waypointServices(ctx, s.subject.namespace).has(s.subject.service);
  }

  /**
   * Whether `s` is the statement that renders its namespace's waypoint (and its plumbing): the
   * waypoint-bound one of the first construct path, whatever the order of the intents.
   */
  private gatewayOwner(s: Statement, ctx: RenderContext): boolean {
    if (s.kind !== 'allow' || s.direction !== 'ingress' || !this.isWaypointBound(s, ctx)) return false;
    const view = this.view(ctx);
    const first = view.remember(`gateway-owner|${s.subject.namespace}`, () => firstByPath(view.allowsIn('ingress', s.subject.namespace).filter(x => this.isWaypointBound(x, ctx))));
    return first === s;
  }

  private guardContext(ctx: RenderContext): EgressGuardContext {
    return {
      options: this.options,
      engineName: this.name,
      cniName: this.options.cni.name,
      cniSelectsServiceAccounts: usable(this.options.cni.capabilities['subject.service-account']),
      view: this.view(ctx),
      waypointServices: ns => this.waypointServices(ctx, ns),
    };
  }
}

/**
 * An owner for shared objects that construction order cannot change: a
 * default deny before an allowance (the plumbing stays next to the isolation
 * it serves), then the intent of the first construct path, then the first
 * statement of that intent.
 */
function firstByPath<T extends Statement>(xs: readonly T[]): T | undefined {
  const rank = (x: T) => (x.kind === 'isolate' ? 0 : 1);
  let best: T | undefined;
  for (const x of xs) {
    if (!best || rank(x) < rank(best) || (rank(x) === rank(best) && x.origin.path < best.origin.path)) best = x;
  }
  return best;
}

function withoutAccount(p: PeerModel): PeerModel {
  if (p.kind !== 'pods' || !p.serviceAccount) return p;
  return { kind: 'pods', namespaces: p.namespaces, pods: p.pods };
}

function withoutHttp(s: AllowStatement): AllowStatement {
  const out: { -readonly [K in keyof AllowStatement]?: AllowStatement[K] } = { ...s };
  delete out.http;
  return out as AllowStatement;
}

