import { App, Chart } from 'cdk8s';
import {
  ALWAYS_EXCEPTED_NAMESPACES, ImportPlan, PlanExpression, PlanHttpRule, PlanIntent, PlanPeer, PlanPort, PlanWorkload,
} from './import-plan';
import { ClusterNetworkPolicyImplementation } from '../engine/cluster-network-policy-implementation';
import { Engine } from '../engine/engine';
import { IstioMode } from '../engine/istio-mode';
import { IstioPathNormalization } from '../engine/istio-path-normalization';
import { AllowDns } from '../intent/allow-dns';
import { AllowFrom } from '../intent/allow-from';
import { AllowTo } from '../intent/allow-to';
import { ClusterAllowDns } from '../intent/cluster-allow-dns';
import { ClusterAlwaysAllow } from '../intent/cluster-always-allow';
import { ClusterDefaultDeny } from '../intent/cluster-default-deny';
import { ClusterDelegateToNamespaces } from '../intent/cluster-delegate-to-namespaces';
import { ClusterDeny } from '../intent/cluster-deny';
import { ClusterRuleProps } from '../intent/cluster-rule-props';
import { DefaultDeny } from '../intent/default-deny';
import { EgressToCidr } from '../intent/egress-to-cidr';
import { EgressToFqdn } from '../intent/egress-to-fqdn';
import { HttpRule } from '../intent/http-rule';
import { LabelExpression } from '../intent/label-expression';
import { MtlsMode } from '../intent/mtls-mode';
import { MutualTls } from '../intent/mutual-tls';
import { Peer } from '../intent/peer';
import { PolicyDirection } from '../intent/policy-direction';
import { PolicyStage } from '../intent/policy-stage';
import { Port } from '../intent/port';
import { Protocol } from '../intent/protocol';
import { Workload } from '../intent/workload';

/**
 * Constructs the plan's intents in a new cdk8s App — the same constructs, with the same props, that
 * the `main.ts` of `renderApp` calls — so that the import command can synthesize and prove the app
 * without compiling TypeScript. Nothing is synthesized here.
 */
export function buildIntents(plan: ImportPlan): App {
  const app = new App();
  Engine.attach(app, engineOf(plan));
  const workloads = new Map(plan.workloads.map(w => [w.id, workload(w)]));
  const charts = new Map(plan.charts.map(c => [c.id, new Chart(app, c.id, c.namespace === undefined ? {} : { namespace: c.namespace })]));
  const ref = (intent: PlanIntent, id: string): Workload => {
    const found = workloads.get(id);
    if (!found) throw new Error(`plan: intent ${intent.id} names workload ${id}, which the plan does not declare`);
    return found;
  };
  for (const intent of plan.intents) {
    const chart = charts.get(intent.chart);
    if (!chart) throw new Error(`plan: intent ${intent.id} is in chart ${intent.chart}, which the plan does not declare`);
    construct(chart, intent, (id) => ref(intent, id));
  }
  return app;
}

function engineOf(plan: ImportPlan): Engine {
  const e = plan.engine;
  const t = e.target;
  const target = t ? {
    target: {
      ...(t.podCidrs.length > 0 ? { podCidrs: [...t.podCidrs] } : {}),
      ...(t.serviceCidrs.length > 0 ? { serviceCidrs: [...t.serviceCidrs] } : {}),
      ...(t.acceptCidrsOverlappingPods ? { acceptCidrsOverlappingPods: true } : {}),
      ...(t.ciliumHttpNormalizePath !== undefined ? { ciliumHttpNormalizePath: t.ciliumHttpNormalizePath } : {}),
      ...(t.istioPathNormalization !== undefined ? { istioPathNormalization: IstioPathNormalization[t.istioPathNormalization] } : {}),
    },
  } : {};
  const cni = cniEngine(e, target);
  return e.istio ? Engine.istio({ mode: e.istio.mode === 'ambient' ? IstioMode.AMBIENT : IstioMode.SIDECAR, cni }) : cni;
}

function cniEngine(e: ImportPlan['engine'], target: { target?: Record<string, unknown> }): Engine {
  switch (e.kind) {
    case 'kubernetes': {
      const cnp = e.clusterNetworkPolicy;
      return Engine.kubernetes({
        ...target,
        ...(cnp ? {
          clusterNetworkPolicy: {
            implementation: implementation(cnp.implementation),
            ...(cnp.baselineIngressFromPodsOnly ? { baselineIngressFromPodsOnly: true } : {}),
          },
        } : {}),
      });
    }
    case 'cilium': return Engine.cilium(target);
    case 'calico': return Engine.calico(target);
  }
}

function implementation(name: string): ClusterNetworkPolicyImplementation {
  switch (name) {
    case 'calico': return ClusterNetworkPolicyImplementation.calico();
    case 'cilium': return ClusterNetworkPolicyImplementation.cilium();
    case 'antrea': return ClusterNetworkPolicyImplementation.antrea();
    case 'ovnKubernetes': return ClusterNetworkPolicyImplementation.ovnKubernetes();
    case 'kubeNetworkPolicies': return ClusterNetworkPolicyImplementation.kubeNetworkPolicies();
    default: throw new Error(`plan: no ClusterNetworkPolicyImplementation.${name}()`);
  }
}

function workload(w: PlanWorkload): Workload {
  const options = {
    namespace: w.namespace,
    ...(w.expressions.length > 0 ? { expressions: w.expressions.map(expression) } : {}),
    ...(w.serviceAccount !== undefined ? { serviceAccount: w.serviceAccount } : {}),
    ...(w.service !== undefined ? { service: w.service } : {}),
    ...(w.servicePorts !== undefined ? { servicePorts: w.servicePorts.map(p => ({ port: p.port, targetPort: p.targetPort })) } : {}),
  };
  const everyPod = Object.keys(w.labels).length === 0 && w.expressions.length === 0;
  return everyPod ? Workload.allPods(options) : Workload.select({ ...w.labels }, options);
}

function construct(chart: Chart, intent: PlanIntent, ref: (id: string) => Workload): void {
  const stage = intent.audit ? { stage: PolicyStage.AUDIT } : {};
  const ack = (flag: boolean | undefined) => (flag ? { acknowledgeDnsBlocked: true } : {});
  const directions = (ds: readonly string[]) => (ds.length === 2 ? {} : { directions: ds.map(direction) });
  const dns = (i: { dnsNamespaceLabels?: Readonly<Record<string, string>>; dnsPodLabels?: Readonly<Record<string, string>>; dnsPort?: number }) => ({
    ...(i.dnsNamespaceLabels ? { dnsNamespaceLabels: { ...i.dnsNamespaceLabels } } : {}),
    ...(i.dnsPodLabels ? { dnsPodLabels: { ...i.dnsPodLabels } } : {}),
    ...(i.dnsPort !== undefined ? { dnsPort: i.dnsPort } : {}),
  });
  const except = (ns: readonly string[]) => {
    const extra = ns.filter(n => !ALWAYS_EXCEPTED_NAMESPACES.includes(n));
    return extra.length === 0 ? {} : { exceptNamespaces: extra };
  };
  const peers = (ps: readonly PlanPeer[]) => ps.map(p => peer(p, ref));
  const ports = (ps: readonly PlanPort[]) => ps.map(port);
  switch (intent.kind) {
    case 'DefaultDeny':
      new DefaultDeny(chart, intent.id, {
        ...(intent.pods !== undefined ? { pods: ref(intent.pods) } : {}),
        ...directions(intent.directions),
        ...ack(intent.acknowledgeDnsBlocked),
        ...stage,
      });
      return;
    case 'AllowDns':
      new AllowDns(chart, intent.id, { ...(intent.pods !== undefined ? { pods: ref(intent.pods) } : {}), ...dns(intent), ...stage });
      return;
    case 'AllowFrom':
      new AllowFrom(chart, intent.id, {
        to: ref(intent.to),
        peers: peers(intent.peers),
        ports: ports(intent.ports),
        ...(intent.http ? { http: intent.http.map(httpRule) } : {}),
        ...stage,
      });
      return;
    case 'AllowTo':
      new AllowTo(chart, intent.id, {
        workload: ref(intent.workload), peers: peers(intent.peers), ports: ports(intent.ports), ...ack(intent.acknowledgeDnsBlocked), ...stage,
      });
      return;
    case 'EgressToCidr':
      new EgressToCidr(chart, intent.id, {
        workload: ref(intent.workload),
        cidr: intent.cidr,
        ...(intent.except.length > 0 ? { exceptCidrs: [...intent.except] } : {}),
        ports: ports(intent.ports),
        ...ack(intent.acknowledgeDnsBlocked),
        ...stage,
      });
      return;
    case 'EgressToFqdn':
      new EgressToFqdn(chart, intent.id, {
        workload: ref(intent.workload), names: [...intent.names], ports: ports(intent.ports), ...ack(intent.acknowledgeDnsBlocked), ...stage,
      });
      return;
    case 'ClusterDefaultDeny':
      new ClusterDefaultDeny(chart, intent.id, {
        ...except(intent.exceptNamespaces), ...directions(intent.directions), ...ack(intent.acknowledgeDnsBlocked), ...stage,
      });
      return;
    case 'ClusterAllowDns':
      new ClusterAllowDns(chart, intent.id, { ...except(intent.exceptNamespaces), priority: intent.priority, ...dns(intent), ...stage });
      return;
    case 'ClusterDeny':
    case 'ClusterAlwaysAllow':
    case 'ClusterDelegateToNamespaces': {
      const props: ClusterRuleProps = {
        priority: intent.priority,
        direction: direction(intent.direction),
        peers: peers(intent.peers),
        ports: ports(intent.ports),
        ...except(intent.exceptNamespaces),
        ...(Object.keys(intent.namespaceLabels).length > 0 ? { namespaceLabels: { ...intent.namespaceLabels } } : {}),
        ...(intent.namespaceExpressions.length > 0 ? { namespaceExpressions: intent.namespaceExpressions.map(expression) } : {}),
        ...(Object.keys(intent.podLabels).length > 0 ? { podLabels: { ...intent.podLabels } } : {}),
        ...(intent.podExpressions.length > 0 ? { podExpressions: intent.podExpressions.map(expression) } : {}),
        ...stage,
      };
      const Rule = intent.kind === 'ClusterDeny' ? ClusterDeny : intent.kind === 'ClusterAlwaysAllow' ? ClusterAlwaysAllow : ClusterDelegateToNamespaces;
      new Rule(chart, intent.id, props);
      return;
    }
    case 'MutualTls':
      new MutualTls(chart, intent.id, {
        ...(intent.pods !== undefined ? { workload: ref(intent.pods) } : {}),
        mode: MtlsMode[intent.mode],
        ...(intent.portExceptions.length > 0 ? { portExceptions: intent.portExceptions.map(x => ({ port: x.port, mode: MtlsMode[x.mode] })) } : {}),
      });
      return;
  }
}

function httpRule(h: PlanHttpRule): HttpRule {
  const path = h.path === undefined ? undefined : h.path.kind === 'prefix' ? `${h.path.value}*` : h.path.value;
  if (h.method === undefined) return HttpRule.anyMethod(path!);
  return HttpRule.method(h.method, path);
}

function direction(d: string): PolicyDirection {
  return d === 'ingress' ? PolicyDirection.INGRESS : PolicyDirection.EGRESS;
}

function peer(p: PlanPeer, ref: (id: string) => Workload): Peer {
  switch (p.kind) {
    case 'workload': return Peer.workload(ref(p.workload));
    case 'namespace': return Peer.namespace(p.name);
    case 'anyone': return Peer.anyone();
    case 'cidr': return Peer.cidr(p.cidr, [...p.except]);
    case 'pods': {
      const noPods = Object.keys(p.podLabels).length === 0 && p.podExpressions.length === 0;
      if (noPods && p.serviceAccount === undefined && p.namespaces.kind === 'labels') {
        return Peer.namespacesWithLabels({ ...p.namespaces.labels }, p.namespaces.expressions.map(expression));
      }
      if (noPods && p.serviceAccount !== undefined && p.namespaces.kind === 'name') return Peer.serviceAccount(p.serviceAccount, p.namespaces.name);
      const ns = p.namespaces;
      return Peer.pods({
        ...(Object.keys(p.podLabels).length > 0 ? { podLabels: { ...p.podLabels } } : {}),
        ...(p.podExpressions.length > 0 ? { podExpressions: p.podExpressions.map(expression) } : {}),
        ...(ns.kind === 'name' ? { namespace: ns.name } : {}),
        ...(ns.kind === 'all' ? { allNamespaces: true } : {}),
        ...(ns.kind === 'labels' && Object.keys(ns.labels).length > 0 ? { namespaceLabels: { ...ns.labels } } : {}),
        ...(ns.kind === 'labels' && ns.expressions.length > 0 ? { namespaceExpressions: ns.expressions.map(expression) } : {}),
        ...(p.serviceAccount !== undefined ? { serviceAccount: p.serviceAccount } : {}),
      });
    }
  }
}

function port(p: PlanPort): Port {
  switch (p.kind) {
    case 'allTraffic': return Port.allTraffic();
    case 'all': return p.protocol === 'TCP' ? Port.allTcp() : p.protocol === 'UDP' ? Port.allUdp() : Port.allSctp();
    case 'port': return p.protocol === 'TCP' ? Port.tcp(p.port) : p.protocol === 'UDP' ? Port.udp(p.port) : Port.sctp(p.port);
    case 'range': return p.protocol === 'TCP' ? Port.tcpRange(p.from, p.to) : p.protocol === 'UDP' ? Port.udpRange(p.from, p.to) : Port.sctpRange(p.from, p.to);
    case 'named': return Port.named(p.name, Protocol[p.protocol]);
  }
}

function expression(x: PlanExpression): LabelExpression {
  switch (x.operator) {
    case 'In': return LabelExpression.isIn(x.key, [...(x.values ?? [])]);
    case 'NotIn': return LabelExpression.isNotIn(x.key, [...(x.values ?? [])]);
    case 'Exists': return LabelExpression.exists(x.key);
    case 'DoesNotExist': return LabelExpression.doesNotExist(x.key);
  }
}
