import * as fc from 'fast-check';
import { ClusterModel, parsePolicies } from '../../../src/analysis';
import { evaluate } from '../../../src/analysis/engine/reachability-analyzer';
import { cidrContains, parseCidr } from '../../../src/analysis/ip/cidr';
import { parseIpAddress } from '../../../src/analysis/ip/ip-address';
import { ipEndpoint, podEndpoint } from '../../../src/analysis/ir/flow';
import { CalicoSelectorNode, evaluateSelector, renderSelector } from '../../../src/dialects/calico/selector-ast';
import { parseCalicoSelector } from '../../../src/dialects/calico/selector-parser';

// The analyzer's Calico rules against an independent model of what felix does with them: build the
// rule's selector as libcalico-go's rules.go getEndpointSelector builds it (strings, `pcns.`
// prefixes, all() and global() replaced in the text), give every workload endpoint and network set
// the labels felix gives it (own labels, projectcalico.org/namespace, orchestrator and service
// account, the namespace and service-account profiles' pcns./pcsa. labels), fill each selector's
// IP set with the addresses of the pods and the nets of the sets it matches, and match a packet
// by its source address: in the selector's set (if any) and not in the notSelector's.

const RUNS = Number(process.env.EQUIVALENCE_RUNS ?? 1000);

const NAMESPACES = [{ name: 'x', labels: {} }, { name: 'y', labels: { team: 'ops' } }, { name: 'z', labels: { team: 'dev' } }];
const PODS = [
  { namespace: 'x', name: 'a', labels: { role: 'web' }, ips: ['10.1.0.10'] },
  { namespace: 'x', name: 'b', labels: { role: 'db' }, ips: ['10.1.0.11'] },
  { namespace: 'y', name: 'a', labels: { role: 'web' }, ips: ['10.2.0.12'], serviceAccountName: 'robot' },
  { namespace: 'z', name: 'c', labels: { team: 'ops' }, ips: ['10.3.0.13'] },
];
const cluster = ClusterModel.create({ namespaces: NAMESPACES, pods: PODS });
const SOURCES = ['x/b', 'y/a', 'z/c', '198.51.100.1', '198.51.100.100', '203.0.113.5', '10.2.200.1', '10.1.0.200', '192.0.2.1'];
const NETS = ['10.2.0.0/16', '10.1.0.11/32', '10.1.0.0/24', '198.51.100.0/28', '198.51.100.0/24', '203.0.113.0/24'];

const SELECTORS = ["role == 'db'", '!has(role)', 'all()', "role in {'db', 'web'}", 'has(team)', "projectcalico.org/namespace == 'y'", "role != 'web'",
  "team == 'ops' || role == 'db'"];
const NAMESPACE_SELECTORS = ['all()', 'global()', "team == 'ops'", "team != 'ops'", "projectcalico.org/name == 'x'", "global() || team == 'ops'",
  '!has(team)'];

interface NetworkSet { readonly namespace?: string; readonly labels: Record<string, string>; readonly nets: readonly string[] }
interface Entity {
  readonly selector?: string;
  readonly notSelector?: string;
  readonly namespaceSelector?: string;
  readonly accounts?: readonly string[];
}

const entityArb: fc.Arbitrary<Entity> = fc.record({
  selector: fc.constantFrom(...SELECTORS),
  notSelector: fc.constantFrom(...SELECTORS),
  namespaceSelector: fc.constantFrom(...NAMESPACE_SELECTORS),
  accounts: fc.constantFrom(['default'], ['robot']),
}, { requiredKeys: [] }).filter((e) => Object.keys(e).length > 0);

const networkSetArb: fc.Arbitrary<NetworkSet> = fc.record({
  namespace: fc.option(fc.constantFrom('x', 'y', 'z'), { nil: undefined }),
  labels: fc.record({ role: fc.constantFrom('db', 'web'), team: fc.constant('ops') }, { requiredKeys: [] }),
  nets: fc.subarray(NETS, { minLength: 1, maxLength: 2 }),
});

/** rules.go getEndpointSelector, as text. */
function felixSelector(e: Entity, policyNamespace: string | undefined): string {
  let nsSelector = '';
  if (e.namespaceSelector) {
    nsSelector = renderSelector(prefix(parseCalicoSelector(e.namespaceSelector), 'pcns.'))
      .split('all()').join('has(projectcalico.org/namespace)')
      .split('global()').join('!has(projectcalico.org/namespace)');
  } else if (policyNamespace !== undefined) {
    nsSelector = `projectcalico.org/namespace == '${policyNamespace}'`;
  }
  const selectors: string[] = [];
  if (e.accounts) selectors.push(`projectcalico.org/serviceaccount in { '${e.accounts.join("', '")}' }`);
  if (e.selector) selectors.push(e.selector);
  let selector = selectors.length === 1 ? selectors[0] : selectors.length > 1 ? `(${selectors.join(') && (')})` : '';
  if (nsSelector !== '' && (selector !== '' || e.notSelector !== undefined || e.namespaceSelector !== undefined)) {
    selector = selector !== '' ? `(${nsSelector}) && (${selector})` : nsSelector;
  }
  return selector;
}

function prefix(n: CalicoSelectorNode, p: string): CalicoSelectorNode {
  switch (n.op) {
    case 'all': case 'global': return n;
    case 'not': return { op: 'not', term: prefix(n.term, p) };
    case 'and': case 'or': return { op: n.op, terms: n.terms.map((t) => prefix(t, p)) };
    default: return { ...n, key: p + n.key };
  }
}

/** Own labels over the profile's (felix's GetHandle: own labels shadow the parents'). */
function withParents(own: Record<string, string>, namespace: string, account?: string): Record<string, string> {
  const ns = NAMESPACES.find((n) => n.name === namespace)!;
  const parents: Record<string, string> = { 'pcns.projectcalico.org/name': namespace };
  for (const [k, v] of Object.entries(ns.labels)) parents[`pcns.${k}`] = v;
  if (account !== undefined) parents['pcsa.projectcalico.org/name'] = account;
  return { ...parents, ...own };
}

function inIpSet(selector: string, address: string, sets: readonly NetworkSet[]): boolean {
  const node = parseCalicoSelector(selector);
  const ip = parseIpAddress(address);
  const pods = PODS.filter((pod) => pod.ips.includes(address)).some((pod) => evaluateSelector(node, withParents({
    ...pod.labels,
    'projectcalico.org/namespace': pod.namespace,
    'projectcalico.org/orchestrator': 'k8s',
    'projectcalico.org/serviceaccount': pod.serviceAccountName ?? 'default',
  }, pod.namespace, pod.serviceAccountName ?? 'default')));
  const nets = sets.some((set) => set.nets.some((net) => cidrContains(parseCidr(net), ip)) && evaluateSelector(node,
    set.namespace === undefined ? set.labels : withParents({ ...set.labels, 'projectcalico.org/namespace': set.namespace }, set.namespace)));
  return pods || nets;
}

function yaml(global: boolean, e: Entity, sets: readonly NetworkSet[]): string {
  const entity = {
    ...(e.selector ? { selector: e.selector } : {}),
    ...(e.notSelector ? { notSelector: e.notSelector } : {}),
    ...(e.namespaceSelector ? { namespaceSelector: e.namespaceSelector } : {}),
    ...(e.accounts ? { serviceAccounts: { names: e.accounts } } : {}),
  };
  const policy = {
    apiVersion: 'projectcalico.org/v3',
    kind: global ? 'GlobalNetworkPolicy' : 'NetworkPolicy',
    metadata: global ? { name: 'p' } : { name: 'p', namespace: 'x' },
    spec: { selector: "projectcalico.org/namespace == 'x' && role == 'web'", types: ['Ingress'], ingress: [{ action: 'Allow', source: entity }] },
  };
  const objects = sets.map((set, i) => ({
    apiVersion: 'projectcalico.org/v3',
    kind: set.namespace === undefined ? 'GlobalNetworkSet' : 'NetworkSet',
    metadata: { name: `s${i}`, ...(set.namespace === undefined ? {} : { namespace: set.namespace }), labels: set.labels },
    spec: { nets: set.nets },
  }));
  return [...objects, policy].map((o) => JSON.stringify(o)).join('\n---\n');
}

describe('Calico rules with network sets match what felix\'s IP sets match', () => {
  test('for random selectors, notSelectors, namespaceSelectors, service accounts and network sets, in global and namespaced policies', () => {
    fc.assert(fc.property(fc.boolean(), entityArb, fc.array(networkSetArb, { maxLength: 3 }), (global, entity, sets) => {
      const policies = parsePolicies({ file: 'p.yaml', text: yaml(global, entity, sets) }, { clusterNamespaces: cluster.namespaces });
      const positive = felixSelector(entity, global ? undefined : 'x');
      for (const source of SOURCES) {
        const address = source.includes('/') ? PODS.find((pod) => `${pod.namespace}/${pod.name}` === source)!.ips[0] : source;
        const expected = (positive === '' || inIpSet(positive, address, sets))
          && (entity.notSelector === undefined || !inIpSet(entity.notSelector, address, sets));
        const verdict = evaluate(cluster, policies, {
          source: source.includes('/') ? podEndpoint(...(source.split('/') as [string, string])) : ipEndpoint(source),
          destination: podEndpoint('x', 'a'),
          port: 80,
          protocol: 'TCP',
        });
        if (verdict.allowed !== expected) {
          throw new Error(`${source} (${address}): analyzer ${verdict.allowed}, felix model ${expected} (selector ${JSON.stringify(positive)})`);
        }
      }
    }), { numRuns: RUNS });
  });
});
