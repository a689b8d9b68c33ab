import { ResolvedEvaluatorOptions } from './evaluator-options';
import { hboneBetween, MeshAuthentication } from './mesh-authentication';
import { PolicyIndex, PolicyPart } from './policy-index';
import { matchRule, MatchContext, ResolvedEndpoint } from './rule-matching';
import { DirectionVerdict, formatVerdict, RuleTrace, Verdict } from './verdict';
import { HBONE_PORT } from '../../dialects/istio/options';
import { ClusterModel, podIp } from '../cluster/cluster-model';
import { isWaypointPod } from '../cluster/waypoint-binding';
import { IpFamily, tryParseIpAddress } from '../ip/ip-address';
import { AnalysisInputError } from '../ir/analysis-input-error';
import { Direction, EnforcementLayer, PolicyTier, PROTOCOLS, RuleAction } from '../ir/analysis-policy';
import { canonicalDnsName, displayDnsName } from '../ir/dns-name';
import { Flow, FlowEndpoint } from '../ir/flow';

/** What a flow is evaluated against. */
export interface EvaluationContext {
  readonly cluster: ClusterModel;
  readonly index: PolicyIndex;
  readonly options: ResolvedEvaluatorOptions;
}

const FAMILIES: readonly IpFamily[] = ['IPv4', 'IPv6'];

/**
 * Decides one flow: egress at the source and ingress at the destination, in every layer that has
 * policies; allowed only if all of them allow (or an exemption applies). For a pod-to-pod flow without
 * `ipFamily`, each family both pods have is tried and the first that allows wins.
 *
 * @throws AnalysisInputError for an unknown pod, an invalid IP, port or protocol
 */
export function evaluateFlow(context: EvaluationContext, flow: Flow): Verdict {
  if (!Number.isInteger(flow.port) || flow.port < 1 || flow.port > 65535) {
    throw new AnalysisInputError(`port: expected an integer from 1 to 65535, got ${JSON.stringify(flow.port)}`);
  }
  if (!PROTOCOLS.includes(flow.protocol)) {
    throw new AnalysisInputError(`protocol: expected one of ${PROTOCOLS.join(', ')}, got ${JSON.stringify(flow.protocol)}`);
  }
  const source = resolveEndpoint(context.cluster, flow.source, 'source');
  const destination = resolveEndpoint(context.cluster, flow.destination, 'destination');
  const notes = [source, destination].flatMap((end) => (end.kind === 'pod' && end.resolvedFrom ? [`${end.resolvedFrom} is the IP of ${end.label}`] : []));
  const families = candidateFamilies(source, destination, flow.ipFamily);
  if (typeof families === 'string') {
    const result: Omit<Verdict, 'explanation'> = {
      allowed: false,
      source: source.label,
      destination: destination.label,
      port: flow.port,
      protocol: flow.protocol,
      ...(flow.ipFamily ? { ipFamily: flow.ipFamily } : {}),
      noNetwork: families,
      steps: [],
      notes: [...notes, families],
    };
    return { ...result, explanation: formatVerdict(result) };
  }
  let chosen: Omit<Verdict, 'explanation'> | undefined;
  for (const family of families) {
    const verdict = evaluateWithFamily(context, flow, source, destination, family);
    if (chosen === undefined || verdict.allowed) {
      chosen = verdict;
    }
    if (verdict.allowed) {
      break;
    }
  }
  const result: Omit<Verdict, 'explanation'> = { ...(chosen as Omit<Verdict, 'explanation'>), notes };
  return { ...result, explanation: formatVerdict(result) };
}

/** Resolves a flow endpoint; an IP that belongs to a pod of the model becomes that pod. */
export function resolveEndpoint(cluster: ClusterModel, endpoint: FlowEndpoint, role: 'source' | 'destination'): ResolvedEndpoint {
  if (endpoint.kind === 'pod') {
    const pod = cluster.findPod(endpoint.namespace, endpoint.name);
    if (!pod) {
      const known = cluster.podsIn(endpoint.namespace).map((candidate) => candidate.name);
      const hint = known.length === 0
        ? `the cluster model has no pods in namespace ${endpoint.namespace}`
        : `pods in ${endpoint.namespace}: ${known.slice(0, 5).join(', ')}${known.length > 5 ? ', …' : ''}`;
      throw new AnalysisInputError(`${role}: unknown pod ${endpoint.namespace}/${endpoint.name} (${hint})`);
    }
    return { kind: 'pod', pod, label: `pod ${pod.namespace}/${pod.name}` };
  }
  const ip = tryParseIpAddress(endpoint.ip);
  if (typeof ip === 'string') {
    throw new AnalysisInputError(`${role}: ${ip}`);
  }
  let dnsName: string | undefined;
  if (endpoint.dnsName !== undefined) {
    if (role === 'source') {
      throw new AnalysisInputError(`source: dns:${endpoint.dnsName} — a DNS name is a destination (what the source looked up); a connection comes from an address: give the IP`);
    }
    dnsName = canonicalDnsName(endpoint.dnsName);
    if (dnsName === undefined) {
      throw new AnalysisInputError(`destination: DNS name ${JSON.stringify(endpoint.dnsName)} is not a name: expected labels of a-z, 0-9, "-" and "_" separated by dots, e.g. api.example.com`);
    }
  }
  const owners = cluster.podsWithIp(ip);
  const owner = owners.find((pod) => !pod.hostNetwork) ?? owners[0];
  if (owner) {
    // A name that resolves to a pod is that pod: Cilium never applies toFQDNs to in-cluster addresses.
    return { kind: 'pod', pod: owner, label: `pod ${owner.namespace}/${owner.name}`, resolvedFrom: ip.text };
  }
  return dnsName === undefined ? { kind: 'external', ip, label: ip.text }
    : { kind: 'external', ip, label: `${ip.text} (dns ${displayDnsName(dnsName)})`, dnsName };
}

/**
 * The address families a flow can use: the external end's, or those both pods have (or the one
 * requested). A connection needs an address of its family at both ends, so a pod without an address
 * (not running, or not scheduled yet) has no network at all: returns why, when there is no family.
 */
function candidateFamilies(source: ResolvedEndpoint, destination: ResolvedEndpoint, requested: IpFamily | undefined): IpFamily[] | string {
  for (const end of [source, destination]) {
    if (end.kind === 'pod' && end.pod.ips.length === 0) {
      return `${end.label} has no IP address (not running, or not scheduled yet): it has no network, so no connection from or to it`;
    }
  }
  const external = [source, destination].find((end): end is Extract<ResolvedEndpoint, { kind: 'external' }> => end.kind === 'external');
  if (external !== undefined) {
    if (requested !== undefined && requested !== external.ip.family) {
      throw new AnalysisInputError(`ipFamily: ${requested} was requested, but ${external.label} is an ${external.ip.family} address`);
    }
    const family = external.ip.family;
    const pod = [source, destination].find((end) => end.kind === 'pod' && podIp(end.pod, family) === undefined);
    return pod === undefined ? [family] : `${pod.label} has no ${family} address, so it cannot connect with ${external.label}`;
  }
  const pods = [source, destination] as Extract<ResolvedEndpoint, { kind: 'pod' }>[];
  const common = FAMILIES.filter((family) => pods.every((end) => podIp(end.pod, family) !== undefined));
  if (requested !== undefined) {
    return common.includes(requested) ? [requested]
      : `${pods.find((end) => podIp(end.pod, requested) === undefined)?.label} has no ${requested} address, so the flow cannot use ${requested}`;
  }
  return common.length > 0 ? common : `${source.label} and ${destination.label} have no address family in common, so they cannot connect`;
}

function evaluateWithFamily(
  context: EvaluationContext,
  flow: Flow,
  source: ResolvedEndpoint,
  destination: ResolvedEndpoint,
  family: IpFamily,
): Omit<Verdict, 'explanation'> {
  const auth = MeshAuthentication.of(context.index);
  // The model decides mTLS from both ends' enrollment; a flow's own `mesh.mtls` overrides it.
  const decided = destination.kind === 'pod' ? auth.mtlsOf(source, destination.pod, flow.port, flow.protocol) : false;
  const match: MatchContext = {
    cluster: context.cluster,
    options: context.options,
    family,
    port: flow.port,
    protocol: flow.protocol,
    destination,
    ...(flow.http ? { http: flow.http } : {}),
    mtls: flow.mesh?.mtls ?? decided ?? false,
  };
  const layers: EnforcementLayer[] = context.index.layers.includes('mesh') || auth.present ? ['network', 'mesh'] : ['network'];
  // In an HBONE tunnel the CNI sees TCP 15008 between the pods; the application port is inside it.
  const hbone = flow.protocol === 'TCP' && source.kind === 'pod' && destination.kind === 'pod'
    && hboneBetween(source.pod, destination.pod) === true;
  const steps: DirectionVerdict[] = [];
  for (const layer of layers) {
    if (layer === 'network' && hbone) {
      const tunnel: MatchContext = { ...match, port: HBONE_PORT };
      for (const step of [evaluateDirection(context, tunnel, layer, 'egress', source, destination), evaluateDirection(context, tunnel, layer, 'ingress', destination, source)]) {
        steps.push({ ...step, reason: `HBONE: the CNI sees TCP ${HBONE_PORT} (the mesh tunnel; port ${flow.port} travels inside it); ${step.reason}` });
      }
      continue;
    }
    steps.push(evaluateDirection(context, match, layer, 'egress', source, destination));
    steps.push(layer === 'mesh'
      ? meshIngress(context, match, auth, destination, source, flow.mesh?.mtls !== undefined)
      : evaluateDirection(context, match, layer, 'ingress', destination, source));
  }
  const exemption = exemptionFor(context.options, source, destination);
  return {
    allowed: exemption !== undefined || steps.every((step) => step.allowed),
    source: source.label,
    destination: destination.label,
    port: flow.port,
    protocol: flow.protocol,
    ...(family ? { ipFamily: family } : {}),
    ...(exemption ? { exemption } : {}),
    steps,
    notes: [],
  };
}

/** Flows allowed whatever the policies say (see `EvaluatorOptions`). */
export function exemptionFor(options: ResolvedEvaluatorOptions, source: ResolvedEndpoint, destination: ResolvedEndpoint): 'self' | 'node-local' | undefined {
  if (source.kind !== 'pod' || destination.kind !== 'pod') {
    return undefined;
  }
  if (source.pod === destination.pod) {
    return options.selfTraffic === 'allow' ? 'self' : undefined;
  }
  const nodeLocal = (source.pod.hostNetwork || destination.pod.hostNetwork)
    && source.pod.nodeName !== undefined && source.pod.nodeName === destination.pod.nodeName;
  return nodeLocal && options.nodeLocalTraffic === 'allow' ? 'node-local' : undefined;
}

/**
 * Ingress in the mesh layer: nothing is enforced at a pod outside the mesh; a STRICT port rejects a
 * plaintext connection before any AuthorizationPolicy runs (the TLS handshake fails); otherwise the
 * mesh policies decide, on a connection whose mTLS the reason states.
 */
function meshIngress(
  context: EvaluationContext, match: MatchContext, auth: MeshAuthentication,
  destination: ResolvedEndpoint, source: ResolvedEndpoint, overridden: boolean,
): DirectionVerdict {
  if (destination.kind === 'pod' && !destination.pod.hostNetwork) {
    const pod = destination.pod;
    if (pod.mesh?.enrollment === 'none') {
      return notApplicable('mesh', 'ingress', destination.label,
        `${destination.label} is not in the mesh (no istio-proxy container, not captured by ztunnel): no AuthorizationPolicy or PeerAuthentication is enforced there`);
    }
    if (isWaypointPod(context.cluster, pod)) {
      const strictAtWaypoint = auth.strictAt(pod, match.port, match.protocol);
      if (strictAtWaypoint === undefined || match.mtls) {
        return notApplicable('mesh', 'ingress', destination.label,
          `${destination.label} is a waypoint's pod: istiod attaches no selector policy to a waypoint (policyattachment.go), and its targetRefs policies apply to connections addressed to a Service (explain --to svc/<namespace>/<name>)`);
      }
    }
    const strict = auth.strictAt(pod, match.port, match.protocol);
    const how = match.mtls ? 'mTLS' : 'plaintext';
    const why = overridden ? ' (as the flow says)' : match.protocol !== 'TCP' ? ` (Istio does not intercept ${match.protocol})`
      : source.kind === 'external' ? ' (from outside the cluster model)'
        : pod.mesh === undefined || source.pod.mesh === undefined ? ' (the cluster model does not say both ends\' enrollment)'
          : ` (client ${isWaypointPod(context.cluster, source.pod) ? 'waypoint' : source.pod.mesh.enrollment}, server ${pod.mesh.enrollment}${pod.mesh.hbone ? ' with HBONE' : ''}, ${auth.modeAt(pod, match.port).mode} on port ${match.port})`;
    if (strict && !match.mtls) {
      const step = evaluateDirection(context, match, 'mesh', 'ingress', destination, source);
      return {
        ...step,
        allowed: false,
        allowedBy: [],
        ...(strict.setBy ? { decidedBy: strict.setBy } : {}),
        reason: `mTLS STRICT (${strict.setBy}) rejects the ${how} connection${why} from ${source.label} before any AuthorizationPolicy runs`,
      };
    }
    // ztunnel sees no request: an ambient pod's mesh policies are evaluated on the connection alone.
    const l4 = pod.mesh?.enrollment === 'ambient';
    const { http: _request, ...withoutRequest } = match;
    const step = evaluateDirection(context, l4 ? { ...withoutRequest, ztunnel: true } : match, 'mesh', 'ingress', destination, source);
    const hop = pod.mesh?.enrollment === 'ambient' ? 'ztunnel (L4 only)' : pod.mesh?.enrollment === 'sidecar' ? 'sidecar' : '';
    return pod.mesh === undefined && !auth.present ? step : { ...step, reason: `${hop ? `${hop}: ` : ''}${how} connection${why}; ${step.reason}` };
  }
  return evaluateDirection(context, match, 'mesh', 'ingress', destination, source);
}

interface TierRun {
  readonly tier: PolicyTier;
  readonly parts: PolicyPart[];
}

/**
 * What one direction at one end decides for a flow in one layer: the tiers of the parts of
 * `context.index` that select the endpoint, first match. (Exported for the waypoint hop of
 * `service-paths.ts`, which evaluates a waypoint's own policies this way.)
 */
export function evaluateDirection(
  context: EvaluationContext,
  match: MatchContext,
  layer: EnforcementLayer,
  direction: Direction,
  endpoint: ResolvedEndpoint,
  peer: ResolvedEndpoint,
): DirectionVerdict {
  if (endpoint.kind === 'external') {
    return notApplicable(layer, direction, endpoint.label, `${endpoint.label} is outside the cluster model; no ${direction} policy applies there`);
  }
  if (endpoint.pod.hostNetwork) {
    return notApplicable(layer, direction, endpoint.label, `${endpoint.label} uses the host network; policies treat its traffic as node traffic`);
  }
  const subjectMatch: MatchContext = { ...match, subject: endpoint };
  const parts = context.index.partsSelecting(context.cluster, endpoint.pod, layer, direction);
  const selectedBy = unique(parts.map((part) => part.policyRef));
  const isolatedBy = unique(parts.filter((part) => part.isolates).map((part) => part.policyRef));
  const traces: RuleTrace[] = [];
  let decision: { action: 'allow' | 'deny'; rule?: string; matches: { rule: string; action: RuleAction }[] } | undefined;

  for (const run of tierRuns(parts)) {
    const matches: { rule: string; action: RuleAction }[] = [];
    let decided: { action: 'allow' | 'deny'; rule: string } | undefined;
    let passed = false;
    for (const part of run.parts) {
      for (let i = 0; i < part.rules.length && !passed; i++) {
        const rule = part.rules[i];
        const outcome = matchRule(rule, peer, subjectMatch);
        const matched = outcome.peer && outcome.port && outcome.http;
        traces.push({
          rule: part.ruleRefs[i],
          action: rule.action,
          peerMatched: outcome.peer,
          portMatched: outcome.port,
          httpMatched: outcome.http,
          matched,
        });
        if (!matched) {
          continue;
        }
        matches.push({ rule: part.ruleRefs[i], action: rule.action });
        if (decided || rule.action === 'log') {
          continue; // after the decision, further matches are only reported
        }
        if (rule.action === 'pass') {
          passed = true;
        } else {
          decided = { action: rule.action, rule: part.ruleRefs[i] };
        }
      }
      if (passed) {
        break;
      }
    }
    if (decided) {
      decision = { ...decided, matches };
      break;
    }
    if (!passed && run.tier.defaultAction === 'deny' && run.parts.some((part) => part.isolates)) {
      decision = { action: 'deny', matches };
      break;
    }
  }

  const allowed = decision?.action !== 'deny';
  const allowedBy = allowed && decision?.rule ? decision.matches.filter((m) => m.action === 'allow').map((m) => m.rule) : [];
  const deniedBy = !allowed && decision?.rule ? decision.matches.filter((m) => m.action === 'deny').map((m) => m.rule) : [];
  const isolated = isolatedBy.length > 0;
  const flowText = `port ${match.port}/${match.protocol} ${direction === 'ingress' ? 'from' : 'to'} ${peer.label}`;

  let reason: string;
  if (parts.length === 0) {
    reason = `not isolated: no policy selects ${endpoint.label} for ${direction}`;
  } else if (allowedBy.length > 0) {
    reason = `allowed by ${allowedBy.join(', ')}`;
  } else if (deniedBy.length > 0) {
    reason = `denied by ${deniedBy.join(', ')}`;
  } else if (!allowed) {
    reason = `isolated by ${isolatedBy.join(', ')}; no rule allowed ${flowText}${nearMisses(traces, peer.label, match)}`;
  } else if (!isolated) {
    reason = `not isolated: selected by ${selectedBy.join(', ')}, none of which isolates it for ${direction}; no rule denied ${flowText}`;
  } else {
    reason = `allowed: the tiers isolating it (${isolatedBy.join(', ')}) passed ${flowText} on and no later rule denied it`;
  }

  return {
    layer,
    direction,
    endpoint: endpoint.label,
    applies: true,
    selectedBy,
    isolatedBy,
    isolated,
    allowed,
    ...(decision?.rule ? { decidedBy: decision.rule } : {}),
    allowedBy,
    deniedBy,
    rules: traces,
    reason,
  };
}

/** Consecutive parts of the same tier (parts arrive sorted by tier). */
function tierRuns(parts: readonly PolicyPart[]): TierRun[] {
  const runs: TierRun[] = [];
  for (const part of parts) {
    const last = runs[runs.length - 1];
    if (last && last.tier.name === part.tier.name) {
      last.parts.push(part);
    } else {
      runs.push({ tier: part.tier, parts: [part] });
    }
  }
  return runs;
}

/** "(X ingress[0] allows pod a but not 80/TCP)" hints for allow rules that matched half the flow. */
function nearMisses(traces: readonly RuleTrace[], peerLabel: string, match: MatchContext): string {
  const hints = traces
    .filter((trace) => trace.action === 'allow' && !trace.matched && (trace.peerMatched || trace.portMatched))
    .slice(0, 3)
    .map((trace) => {
      if (trace.peerMatched && trace.portMatched) {
        return `${trace.rule} matches ${peerLabel} on ${match.port}/${match.protocol} but not its HTTP condition`;
      }
      return trace.peerMatched
        ? `${trace.rule} allows ${peerLabel} but not ${match.port}/${match.protocol}`
        : `${trace.rule} allows ${match.port}/${match.protocol} but not ${peerLabel}`;
    });
  return hints.length > 0 ? ` (${hints.join('; ')})` : '';
}

function notApplicable(layer: EnforcementLayer, direction: Direction, endpoint: string, reason: string): DirectionVerdict {
  return {
    layer,
    direction,
    endpoint,
    applies: false,
    selectedBy: [],
    isolatedBy: [],
    isolated: false,
    allowed: true,
    allowedBy: [],
    deniedBy: [],
    rules: [],
    reason,
  };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
