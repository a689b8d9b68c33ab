import { Dialect, RenderContext, RenderedObject } from '../dialect';
import { allowSubjects } from '../source-half';
import { KubernetesDialectOptions, kubernetesCapabilities } from './capabilities';
import { clusterNetworkPolicyProblems, renderClusterStatement } from './cluster-network-policy';
import { kubeSelector, NAMESPACE_NAME_LABEL } from './kube-selector';
import {
  AllowStatement, DirectionModel, isEverything, IsolateStatement, LabelSelectorModel, PeerModel,
  PodSetModel, PortModel, Statement, intersectSelectors, labelSelector, withoutExclusiveAccount,
} from '../../model';


const DIRECTION_TYPE: Record<DirectionModel, string> = { ingress: 'Ingress', egress: 'Egress' };

/**
 * Renders the model to networking.k8s.io/v1 NetworkPolicy objects, and
 * cluster-wide statements to policy.networking.k8s.io ClusterNetworkPolicy
 * objects when the engine names their implementation.
 * `policyTypes` is always explicit; peer lists are never empty (allow-all is
 * spelled out), so no rule means "everyone" by accident.
 */
export class KubernetesDialect implements Dialect {
  public readonly name = 'kubernetes';
  public readonly capabilities;

  constructor(private readonly options: KubernetesDialectOptions = {}) {
    this.capabilities = kubernetesCapabilities(options);
  }

  /** The limits of ClusterNetworkPolicy and of the chosen implementation, which the capability table cannot see. */
  public check(s: Statement): string[] {
    const cnp = this.options.clusterNetworkPolicy;
    if (!cnp || (s.kind !== 'isolate-cluster' && s.kind !== 'allow-cluster' && s.kind !== 'cluster-rule')) return [];
    return clusterNetworkPolicyProblems(s, { cnp, serviceAccountLabel: this.options.serviceAccountLabel });
  }

  /** NetworkPolicy selects labels only: an exclusive service account (declared to be the labels' pods) is dropped, exactly. */
  public lower(s: Statement): Statement {
    switch (s.kind) {
      case 'isolate':
      case 'mtls':
        return { ...s, subject: withoutExclusiveAccount(s.subject) };
      case 'allow':
        return { ...s, subject: withoutExclusiveAccount(s.subject), peers: s.peers.map(p => (p.kind === 'pods' ? withoutExclusiveAccount(p) : p)) };
      case 'allow-cluster':
      case 'cluster-rule':
        return { ...s, peers: s.peers.map(p => (p.kind === 'pods' ? withoutExclusiveAccount(p) : p)) };
      default:
        return s;
    }
  }

  public render(s: Statement, ctx: RenderContext): RenderedObject[] {
    if (s.kind === 'isolate-cluster' || s.kind === 'allow-cluster' || s.kind === 'cluster-rule') {
      const cnp = this.options.clusterNetworkPolicy;
      // Never reached without options: the capability table marks cluster-wide statements unsupported then.
      if (!cnp) throw new Error(`unsupported statement ${s.kind}`);
      const problems = clusterNetworkPolicyProblems(s, { cnp, serviceAccountLabel: this.options.serviceAccountLabel });
      if (problems.length) throw new Error(problems.join(' ')); // fail closed even if `check` was not consulted
      return renderClusterStatement(s, ctx, { cnp, serviceAccountLabel: this.options.serviceAccountLabel });
    }
    if (s.kind === 'mtls') {
      // Never reached: the capability table marks mTLS statements unsupported.
      throw new Error(`unsupported statement ${s.kind}`);
    }
    return s.kind === 'isolate' ? [this.renderIsolate(s, ctx)] : this.renderAllow(s, ctx);
  }

  private renderIsolate(s: IsolateStatement, ctx: RenderContext): RenderedObject {
    const types = (['ingress', 'egress'] as const).filter(d => s.directions.includes(d)).map(d => DIRECTION_TYPE[d]);
    return this.object(s, ctx.objectName(s.origin), 'NetworkPolicy', s.subject.namespace, {
      podSelector: this.subjectSelector(s.subject),
      policyTypes: types,
    });
  }

  private renderAllow(s: AllowStatement, ctx: RenderContext): RenderedObject[] {
    const subjects = allowSubjects(s, ctx);
    const peersKey = s.direction === 'ingress' ? 'from' : 'to';
    const rule: Record<string, unknown> = { [peersKey]: s.peers.flatMap(p => this.peer(p, s.subject.namespace)) };
    const ports = this.ports(s.ports);
    if (ports) rule.ports = ports;
    const suffix = s.purpose === 'dns' ? undefined : s.isolating ? s.direction : `${s.direction}-${s.subject.namespace}`;
    return subjects.map((subject, i) => this.object(s,
      ctx.objectName(s.origin, [suffix, subjects.length > 1 ? String(i + 1) : undefined].filter(Boolean).join('-') || undefined),
      'NetworkPolicy', subject.namespace, {
        podSelector: this.subjectSelector(subject),
        policyTypes: [DIRECTION_TYPE[s.direction]],
        [s.direction]: [rule],
      }));
  }

  private subjectSelector(set: PodSetModel): Record<string, unknown> {
    // A part of an isolated set may carry an exclusive account again (intersections keep it).
    const p = withoutExclusiveAccount(set);
    return kubeSelector(this.withServiceAccount(p.pods, p.serviceAccount));
  }

  private withServiceAccount(sel: LabelSelectorModel, sa: string | undefined): LabelSelectorModel {
    if (!sa) return sel;
    // Only reachable when the user opted into the label approximation (capability table).
    return intersectSelectors(sel, labelSelector({ [this.options.serviceAccountLabel!]: sa }));
  }

  private peer(p: PeerModel, policyNamespace: string): Record<string, unknown>[] {
    switch (p.kind) {
      case 'anyone':
        return [{ namespaceSelector: {} }, { ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }];
      case 'cidr':
        return [{ ipBlock: p.except.length ? { cidr: p.cidr, except: [...p.except] } : { cidr: p.cidr } }];
      case 'node-local-dns':
        return [{ ipBlock: { cidr: p.cidr } }];
      case 'kube-apiserver':
        return p.cidrs.map(cidr => ({ ipBlock: { cidr } }));
      case 'fqdn':
        // Never reached: the capability table marks FQDN peers unsupported.
        throw new Error(`unsupported peer ${p.kind}`);
      case 'pods': {
        const pods = this.withServiceAccount(p.pods, p.serviceAccount);
        if (p.namespaces.kind === 'name' && p.namespaces.name === policyNamespace) {
          return [{ podSelector: kubeSelector(pods) }];
        }
        const nsSel = p.namespaces.kind === 'name' ? { matchLabels: { [NAMESPACE_NAME_LABEL]: p.namespaces.name } }
          : p.namespaces.kind === 'all' ? {} : kubeSelector(p.namespaces.selector);
        return [isEverything(pods) ? { namespaceSelector: nsSel } : { namespaceSelector: nsSel, podSelector: kubeSelector(pods) }];
      }
    }
  }

  private ports(ports: readonly PortModel[]): Record<string, unknown>[] | undefined {
    if (ports.some(p => p.protocol === 'ANY')) return undefined; // every port of every protocol
    return ports.map(p => {
      if (p.protocol === 'ANY') throw new Error('unreachable');
      const out: Record<string, unknown> = { protocol: p.protocol };
      if (p.port !== undefined) out.port = p.port;
      if (p.endPort !== undefined) out.endPort = p.endPort;
      return out;
    });
  }

  private object(s: Statement, name: string, kind: string, namespace: string, spec: Record<string, unknown>): RenderedObject {
    return { apiVersion: 'networking.k8s.io/v1', kind, name, namespace, body: { spec }, id: name, origin: s.origin };
  }
}
