import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import * as fc from 'fast-check';
import {
  AllowDns, AllowFrom, DefaultDeny, EgressToCidr, Engine, HttpRule, IstioMode, Peer, PolicyDirection, Port, Workload,
} from '../../src';
import { testEngine } from '../helpers/target';

type Intent = (scope: Construct) => void;

const web = Workload.select({ app: 'web' }, { service: 'web', servicePorts: [{ port: 80 }, { port: 8080 }, { port: 9090 }] });
const api = Workload.select({ app: 'api' }, { service: 'api', servicePorts: [{ port: 80 }, { port: 8080 }, { port: 9090 }] });
const db = Workload.select({ app: 'db' });

/**
 * Intents whose objects other intents share or number: several isolations of the same pods and
 * of the whole namespace (mesh plumbing), two waypoint-bound allowances in one namespace (the
 * waypoint and its plumbing), a source side whose pods several default denies isolate (numbered
 * objects), allowances in two namespaces.
 */
function intents(identityPeers: boolean): [string, Intent][] {
  const client = identityPeers ? Peer.serviceAccount('client', 'clients') : Peer.workload(Workload.select({ app: 'client' }, { namespace: 'clients' }));
  return [
    ['deny-shop', s => new DefaultDeny(s, 'deny-shop', { namespace: 'shop' })],
    ['dns-shop', s => new AllowDns(s, 'dns-shop', { namespace: 'shop' })],
    ['deny-db-ingress', s => new DefaultDeny(s, 'deny-db-ingress', { namespace: 'data', pods: db, directions: [PolicyDirection.INGRESS] })],
    ['deny-db-egress', s => new DefaultDeny(s, 'deny-db-egress', { namespace: 'data', pods: db, directions: [PolicyDirection.EGRESS], acknowledgeDnsBlocked: true })],
    ['deny-db-again', s => new DefaultDeny(s, 'deny-db-again', { namespace: 'data', pods: db, acknowledgeDnsBlocked: true })],
    ['deny-client-a', s => new DefaultDeny(s, 'deny-client-a', { namespace: 'clients', pods: Workload.select({ app: 'client', tier: 'a' }), directions: [PolicyDirection.EGRESS], acknowledgeDnsBlocked: true })],
    ['deny-client-b', s => new DefaultDeny(s, 'deny-client-b', { namespace: 'clients', pods: Workload.select({ tier: 'b' }), directions: [PolicyDirection.EGRESS], acknowledgeDnsBlocked: true })],
    ['web', s => new AllowFrom(s, 'web', { namespace: 'shop', to: web, peers: [client], ports: [Port.tcp(8080)], ...(identityPeers ? { http: [HttpRule.get('/')] } : {}) })],
    ['api', s => new AllowFrom(s, 'api', { namespace: 'shop', to: api, peers: [client], ports: [Port.tcp(9090)], ...(identityPeers ? { http: [HttpRule.post('/orders')] } : {}) })],
    ['db', s => new AllowFrom(s, 'db', { namespace: 'data', to: db, peers: [identityPeers ? Peer.serviceAccount('api', 'shop') : Peer.workload(Workload.select({ app: 'api' }, { namespace: 'shop' }))], ports: [Port.tcp(5432)] })],
    ['rds', s => new EgressToCidr(s, 'rds', { namespace: 'data', workload: db, cidr: '10.100.0.0/16', ports: [Port.tcp(5432)], acknowledgeDnsBlocked: true })],
  ];
}

const ENGINES: [string, () => Engine, boolean][] = [
  ['kubernetes', () => testEngine.kubernetes(), false],
  ['cilium', () => testEngine.cilium(), false],
  ['calico', () => testEngine.calico(), false],
  ['istio-sidecar-kubernetes', () => testEngine.istio({ mode: IstioMode.SIDECAR, cni: testEngine.kubernetes() }), true],
  ['istio-sidecar-calico', () => testEngine.istio({ mode: IstioMode.SIDECAR, cni: testEngine.calico() }), true],
  ['istio-ambient-cilium', () => testEngine.istio({ mode: IstioMode.AMBIENT, cni: testEngine.cilium() }), true],
  ['istio-ambient-kubernetes', () => testEngine.istio({ mode: IstioMode.AMBIENT, cni: testEngine.kubernetes() }), true],
];

/** Every synthesized object by kind, namespace and name, with its content. */
function synthesized(engine: () => Engine, list: [string, Intent][]): Map<string, unknown> {
  const chart = new Chart(Testing.app(), 'order');
  Engine.attach(chart, engine());
  list.forEach(([, build]) => build(chart));
  const out = new Map<string, unknown>();
  for (const o of Testing.synth(chart)) {
    const key = `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    expect(out.has(key)).toBe(false);
    out.set(key, o);
  }
  return out;
}

describe('rendered names and contents', () => {
  test.each(ENGINES)('do not depend on the order in which intents are created, on the %s engine', (_name, engine, identityPeers) => {
    const list = intents(identityPeers);
    const reference = synthesized(engine, list);
    expect(reference.size).toBeGreaterThan(list.length);
    fc.assert(fc.property(fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }), permuted => {
      const got = synthesized(engine, permuted);
      expect([...got.keys()].sort()).toEqual([...reference.keys()].sort());
      for (const [key, object] of reference) expect([key, got.get(key)]).toEqual([key, object]);
    }), { numRuns: 12 });
  });
});
