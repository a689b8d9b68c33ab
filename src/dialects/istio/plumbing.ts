import { createHash } from 'crypto';
import { AMBIENT_PROBE_SOURCES, GATEWAY_NAME_LABEL, HBONE_PORT, ISTIOD_XDS_PORT, IstioDialectOptions } from './options';
import {
  AllowStatement, DirectionModel, EVERYTHING, isEverything, labelSelector, OriginModel, PodSetModel, podSetToString, selectorToString, StageModel,
} from '../../model';

/**
 * The mesh's own traffic that a CNI default deny would otherwise break. Each
 * allowance is rendered by the CNI layer, next to the isolation it serves and
 * in the same stage, so it can never be missing (or applied later) when that
 * isolation is enforced. Why each one exists:
 *
 * - `istiod` (sidecar mode, egress): every sidecar's pilot-agent fetches its
 *   configuration (xDS) and its workload certificate (CA) from istiod on TCP
 *   15012. Without it, a pod whose egress is denied never becomes ready and
 *   its certificate expires. istiod's other ports are not needed by
 *   workloads: 15017 is the injection/validation webhook (called by the API
 *   server), 15014 the control plane's own metrics, 15010 plaintext xDS
 *   (disabled by default).
 * - `hbone` (ambient mode, ingress): ztunnel tunnels every mesh connection
 *   into the destination pod on TCP 15008 (HBONE); the CNI sees that port,
 *   not the application's. Allowed from pods of every namespace: which of
 *   them may connect, on which application port, is decided by the
 *   destination's ztunnel with the rendered AuthorizationPolicies.
 * - `probes` (ambient mode, ingress): ambient SNATs the kubelet's health
 *   probes to 169.254.7.127 (IPv4) and fd16:9254:7127:1337:ffff:ffff:ffff:ffff
 *   (IPv6), which many CNIs do not exempt like node traffic; without them,
 *   probes of enrolled pods fail (on IPv6 and dual-stack clusters too). Only
 *   node-local traffic gets those addresses (see `AMBIENT_PROBE_SOURCES`).
 * - waypoint pods (ambient mode, egress): the waypoint proxy needs istiod
 *   (TCP 15012, as a sidecar does) and forwards to destination pods over
 *   HBONE (TCP 15008); the destinations' ztunnels only admit the waypoint
 *   where a rendered policy says so.
 */
export interface PlumbingAllowance {
  readonly statement: AllowStatement;
  /** One line: why the mesh needs it. */
  readonly reason: string;
}

/**
 * The plumbing that isolating `subject` in `direction` needs. `owner` is the
 * intent whose construct holds the objects; their names never depend on it,
 * only on the pod set, so neither the order in which intents are created nor
 * which of them isolates the pods renames them.
 */
export function subjectPlumbing(
  options: IstioDialectOptions, subject: PodSetModel, direction: DirectionModel, owner: OriginModel, stage: StageModel,
): PlumbingAllowance[] {
  const podSet = podSetPart(subject);
  const base = { kind: 'allow' as const, stage, subject, isolating: true, purpose: 'traffic' as const };
  if (options.mode === 'sidecar' && direction === 'egress') {
    return [{
      reason: `sidecars fetch configuration (xDS) and certificates from istiod on TCP ${ISTIOD_XDS_PORT}`,
      statement: { ...base, origin: plumbingOrigin(owner, 'mesh-istiod', podSet), direction: 'egress', peers: [istiodPeer(options)], ports: [{ protocol: 'TCP', port: ISTIOD_XDS_PORT }] },
    }];
  }
  if (options.mode === 'ambient' && direction === 'ingress') {
    return [
      {
        reason: `ztunnel delivers every mesh connection on the HBONE port TCP ${HBONE_PORT}; the destination's ztunnel authorizes it`,
        statement: { ...base, origin: plumbingOrigin(owner, 'mesh-hbone', podSet), direction: 'ingress', peers: [{ kind: 'pods', namespaces: { kind: 'all' }, pods: EVERYTHING }], ports: [{ protocol: 'TCP', port: HBONE_PORT }] },
      },
      {
        reason: `ambient SNATs the kubelet's health probes to ${AMBIENT_PROBE_SOURCES.join(' (IPv4) and ')} (IPv6)`,
        statement: {
          ...base, origin: plumbingOrigin(owner, 'mesh-probes', podSet), direction: 'ingress', peers: AMBIENT_PROBE_SOURCES.map((cidr) => ({ kind: 'cidr' as const, cidr, except: [] })), ports: [{ protocol: 'TCP' }],
        },
      },
    ];
  }
  return [];
}

/** The waypoint pods of a namespace. */
export function waypointPods(options: IstioDialectOptions, namespace: string): PodSetModel {
  return { namespace, pods: labelSelector({ [GATEWAY_NAME_LABEL]: options.waypointName }) };
}

/**
 * The egress the waypoint of a namespace needs where something isolates it
 * (non-isolating: the CNI renders it only for waypoint pods that are isolated).
 */
export function waypointPlumbing(options: IstioDialectOptions, namespace: string, owner: OriginModel, stage: StageModel): PlumbingAllowance[] {
  const base = { kind: 'allow' as const, stage, subject: waypointPods(options, namespace), isolating: false, purpose: 'traffic' as const, direction: 'egress' as const };
  return [
    {
      reason: `the waypoint proxy fetches configuration and certificates from istiod on TCP ${ISTIOD_XDS_PORT}`,
      statement: { ...base, origin: plumbingOrigin(owner, 'waypoint-istiod', undefined), peers: [istiodPeer(options)], ports: [{ protocol: 'TCP', port: ISTIOD_XDS_PORT }] },
    },
    {
      reason: `the waypoint forwards to destination pods over HBONE (TCP ${HBONE_PORT}); their ztunnels decide`,
      statement: { ...base, origin: plumbingOrigin(owner, 'waypoint-hbone', undefined), peers: [{ kind: 'pods', namespaces: { kind: 'all' }, pods: EVERYTHING }], ports: [{ protocol: 'TCP', port: HBONE_PORT }] },
    },
  ];
}

function istiodPeer(options: IstioDialectOptions): AllowStatement['peers'][number] {
  return { kind: 'pods', namespaces: { kind: 'name', name: options.istiodNamespace }, pods: labelSelector({ ...options.istiodLabels }) };
}

/** The origin of plumbing held by `owner`: names start from the plumbing's purpose, not from the owner. */
function plumbingOrigin(owner: OriginModel, purpose: string, podSet: string | undefined): OriginModel {
  return { ...owner, baseName: podSet ? `${purpose}-${podSet}` : purpose, shared: purpose };
}

/**
 * A name part for the pods of a pod set: nothing for a whole namespace (one per
 * namespace), else the readable selector and 8 hex characters of a SHA-256 of
 * the exact set, since different selectors can read alike once made a DNS label.
 */
function podSetPart(subject: PodSetModel): string | undefined {
  if (isEverything(subject.pods) && !subject.serviceAccount) return undefined;
  const readable = `${selectorToString(subject.pods)}${subject.serviceAccount ? `-sa-${subject.serviceAccount}` : ''}`;
  return `${readable}-${createHash('sha256').update(podSetToString(subject)).digest('hex').slice(0, 8)}`;
}

/** The same origin with a distinct object-name base. */
export function suffixed(origin: OriginModel, suffix: string): OriginModel {
  return { ...origin, baseName: `${origin.baseName}-${suffix}` };
}
