import { ConnectionEndpoint, ObservedConnection } from './observed-connections';
import { AllowanceEnd, AllowedPort, describeEnd, Recommendation } from './recommendation';
import { RecommendedWorkload } from './workload-selection';
import {
  ClusterModel, ClusterPod, FAMILY_BITS, FlowEndpoint, HttpRequest, ipEndpoint, ipFromValue, NAMESPACE_NAME_LABEL, podEndpoint, podId, Protocol,
  ReachabilityAnalyzer, tryParseIpAddress,
} from '../../analysis';
import { identifier, quote } from '../render-app';

/** One assertion of the generated test file. */
export interface GeneratedAssertion {
  readonly expectation: 'toAllow' | 'toDeny';
  /** Why this flow: `observed (120 records, first on line 1)`, `unobserved port of an observed pair`, … */
  readonly why: string;
  readonly from: TestEnd;
  readonly to: TestEnd;
  readonly port: number;
  readonly protocol: Protocol;
  readonly http?: { readonly method: string; readonly path: string };
}

/** An end of an assertion: a pod of the snapshot standing for its workload, or an address. */
export type TestEnd = { readonly kind: 'pod'; readonly pod: ClusterPod; readonly workload?: RecommendedWorkload } | { readonly kind: 'ip'; readonly ip: string };

/** Options of `generateTests`. */
export interface GenerateTestsOptions {
  /** The most `toAllow` assertions (one per allowance and port, in the order of the app). @default 500 */
  readonly maxAllowed?: number;
  /** How many unobserved flows to assert denied. @default 20 */
  readonly deniedSamples?: number;
  /** The flow file, named in the header. */
  readonly flowFile: string;
  /** The module the app is imported from. @default './main' */
  readonly appModule?: string;
  /** The module of the matchers. @default 'cdk8s-zero-trust/lib/testing' */
  readonly testingModule?: string;
}

/** The generated test file and its assertions. */
export interface GeneratedTests {
  readonly text: string;
  readonly assertions: readonly GeneratedAssertion[];
  /** toAllow assertions left out by `maxAllowed`. */
  readonly allowedLeftOut: number;
}

/**
 * The assertions of the generated `main.test.ts`: each observed allowance's ports (`toAllow`, from
 * one pod of the source workload to one of the destination's), then a deterministic sample of
 * flows that nobody was observed making and that the app denies (`toDeny`): taken in turn from
 * observed denials, unobserved ports (and the other protocol) between observed pairs, the reverse
 * of observed pod-to-pod flows, pairs of isolated workloads that never talked, and a neighbour of each
 * observed outside address. Every assertion is first decided by the exact engine over the app on the
 * cluster model (`analyzer`); a candidate the app allows is not a sample (the report lists what the
 * grouping allows beyond the observed flows).
 */
export function generateTests(cluster: ClusterModel, r: Recommendation, analyzer: ReachabilityAnalyzer,
  options: GenerateTestsOptions): GeneratedTests {
  const maxAllowed = options.maxAllowed ?? 500;
  const samples = options.deniedSamples ?? 20;
  const allows = (from: TestEnd, to: TestEnd, port: number, protocol: Protocol, http?: HttpRequest) =>
    analyzer.connections(flowEndpoint(from), flowEndpoint(to)).contains(port, protocol, http);
  const end = (e: AllowanceEnd, observed: ConnectionEndpoint): TestEnd => {
    if (e.kind === 'workload') return { kind: 'pod', pod: e.workload.pods[0], workload: e.workload };
    return { kind: 'ip', ip: observed.kind === 'external' ? observed.ip.text : e.addresses[0] };
  };

  const allowed: GeneratedAssertion[] = [];
  for (const a of r.allowances) {
    for (const p of a.ports) {
      const first = a.observed.find(c => c.protocol === p.protocol && c.port === p.port)!;
      const flows = a.observed.filter(c => c.protocol === p.protocol && c.port === p.port);
      if (p.http) {
        // Only these requests are allowed on the port: each distinct observed one is asserted.
        for (const request of p.http.flatMap(h => h.requests).sort((x, y) => x.line - y.line)) {
          const same = flows.filter(c => c.http?.method === request.method && c.http.path === request.path);
          const n = same.reduce((k, c) => k + c.count, 0);
          allowed.push({
            expectation: 'toAllow',
            why: `observed: ${describeEnd(a.source)} -> ${describeEnd(a.destination)} ${p.protocol} ${p.port} ${request.method} ${request.path} `
              + `(${n} record${n === 1 ? '' : 's'}, first on line ${request.line})`,
            from: end(a.source, same[0].source),
            to: end(a.destination, same[0].destination),
            port: p.port,
            protocol: p.protocol,
            http: { method: request.method, path: request.path },
          });
        }
        continue;
      }
      const records = flows.reduce((n, c) => n + c.count, 0);
      allowed.push({
        expectation: 'toAllow',
        why: `observed: ${describeEnd(a.source)} -> ${describeEnd(a.destination)} ${p.protocol} ${p.port} (${records} record${records === 1 ? '' : 's'}, first on line ${first.line})`,
        from: end(a.source, first.source),
        to: end(a.destination, first.destination),
        port: p.port,
        protocol: p.protocol,
        ...(first.http ? { http: first.http } : {}),
      });
    }
  }

  // Candidates for toDeny, by kind; taken in turn so that the sample mixes them.
  const workloadOf = new Map<ClusterPod, RecommendedWorkload>();
  for (const w of [...r.isolatedWorkloads, ...r.workloads]) for (const p of w.pods) workloadOf.set(p, w);
  const podEnd = (pod: ClusterPod): TestEnd => {
    const w = workloadOf.get(pod);
    return w ? { kind: 'pod', pod: w.pods[0], workload: w } : { kind: 'pod', pod };
  };
  const observedDenied: GeneratedAssertion[] = r.denied.flatMap((c: ObservedConnection) => {
    const from = c.source.kind === 'pods' ? podEnd(c.source.pods[0]) : { kind: 'ip' as const, ip: c.source.ip.text };
    const to = c.destination.kind === 'pods' ? podEnd(c.destination.pods[0]) : { kind: 'ip' as const, ip: c.destination.ip.text };
    return [{
      expectation: 'toDeny' as const,
      why: `observed denied by policy (line ${c.line}), and the app denies it too`,
      from,
      to,
      port: c.port,
      protocol: c.protocol,
      ...(c.http ? { http: c.http } : {}),
    }];
  });
  // On ports with HTTP rules: an unobserved method on an observed path, and an unobserved path with an observed method.
  const requests: GeneratedAssertion[] = [];
  for (const a of r.allowances) {
    for (const p of a.ports) {
      if (!p.http) continue;
      const first = a.observed.find(c => c.protocol === p.protocol && c.port === p.port)!;
      const from = end(a.source, first.source);
      const to = end(a.destination, first.destination);
      const pair = `${describeEnd(a.source)} -> ${describeEnd(a.destination)} ${p.protocol} ${p.port}`;
      const rule = p.http[0];
      const observedPath = rule.requests[0].path;
      const method = OTHER_METHODS.map(m => ({ method: m, path: observedPath })).find(h => !allows(from, to, p.port, p.protocol, h));
      if (method) requests.push({ expectation: 'toDeny', why: `an unobserved method on an observed path: ${pair}`, from, to, port: p.port, protocol: p.protocol, http: method });
      const paths = rule.path.kind === 'exact' ? [`${rule.path.value}${rule.path.value.endsWith('/') ? '' : '/'}unobserved`, '/unobserved'] : ['/unobserved'];
      const path = paths.map(x => ({ method: rule.method, path: x })).find(h => !allows(from, to, p.port, p.protocol, h));
      if (path) requests.push({ expectation: 'toDeny', why: `an unobserved path with an observed method: ${pair}`, from, to, port: p.port, protocol: p.protocol, http: path });
    }
  }
  const otherPorts: GeneratedAssertion[] = [];
  const reverse: GeneratedAssertion[] = [];
  const neighbours: GeneratedAssertion[] = [];
  for (const a of r.allowances) {
    const first = a.observed[0];
    const from = end(a.source, first.source);
    const to = end(a.destination, first.destination);
    const pair = `${describeEnd(a.source)} -> ${describeEnd(a.destination)}`;
    const port = unobservedPort(a.ports, to);
    if (port) otherPorts.push({ expectation: 'toDeny', why: `unobserved port of an observed pair: ${pair}`, from, to, ...port });
    const other: Protocol = a.ports[0].protocol === 'TCP' ? 'UDP' : 'TCP';
    if (!a.ports.some(p => p.protocol === other && p.port === a.ports[0].port)) {
      otherPorts.push({ expectation: 'toDeny', why: `the other protocol on an observed port: ${pair}`, from, to, port: a.ports[0].port, protocol: other });
    }
    if (from.kind === 'pod' && to.kind === 'pod') {
      const back = unobservedPort([], from) ?? { port: a.ports[0].port, protocol: a.ports[0].protocol };
      reverse.push({ expectation: 'toDeny', why: `the reverse of an observed flow: ${describeEnd(a.destination)} -> ${describeEnd(a.source)}`, from: to, to: from, ...back });
    }
    for (const [e, here] of [[a.source, from], [a.destination, to]] as const) {
      if (e.kind !== 'cidr' || here.kind !== 'ip') continue;
      const next = neighbour(cluster, here.ip);
      if (!next) continue;
      const p = a.ports[0];
      const why = `an unobserved neighbour (${next}) of the outside address of ${pair}`;
      neighbours.push(e === a.destination
        ? { expectation: 'toDeny', why, from, to: { kind: 'ip', ip: next }, port: p.port, protocol: p.protocol }
        : { expectation: 'toDeny', why, from: { kind: 'ip', ip: next }, to, port: p.port, protocol: p.protocol });
    }
  }
  const talked = new Set(r.allowances.map(a => `${describeEnd(a.source)} -> ${describeEnd(a.destination)}`));
  const strangers: GeneratedAssertion[] = [];
  const isolated = r.isolatedWorkloads;
  const stranger = (s: RecommendedWorkload, d: RecommendedWorkload) => {
    if (s === d || talked.has(`workload ${s.namespace}/${s.name} -> workload ${d.namespace}/${d.name}`)) return;
    const to: TestEnd = { kind: 'pod', pod: d.pods[0], workload: d };
    const p = unobservedPort([], to) ?? { port: 80, protocol: 'TCP' as const };
    strangers.push({
      expectation: 'toDeny',
      why: `two isolated workloads no flow was observed between: workload ${s.namespace}/${s.name} -> workload ${d.namespace}/${d.name}`,
      from: { kind: 'pod', pod: s.pods[0], workload: s },
      to,
      ...p,
    });
  };
  if (isolated.length <= 100) {
    // Every ordered pair, spread evenly below.
    for (const d of isolated) for (const s of [...isolated].reverse()) stranger(s, d);
  } else {
    // Too many pairs to list: destinations spread over the list, each with a source some way after it.
    const n = isolated.length;
    const tries = samples * 4;
    for (let k = 0; k < tries; k++) {
      const d = Math.floor((k * n) / tries);
      stranger(isolated[(d + 1 + Math.floor(n / 2) + k) % n], isolated[d]);
    }
  }
  const denied: GeneratedAssertion[] = [];
  const seen = new Set<string>();
  const queues = [observedDenied, requests, otherPorts, reverse, spread(strangers, samples), neighbours].map(q => [...q]);
  while (denied.length < samples && queues.some(q => q.length > 0)) {
    for (const q of queues) {
      const next = q.shift();
      if (!next || denied.length >= samples) continue;
      const key = `${describeTestEnd(next.from)}|${describeTestEnd(next.to)}|${next.protocol}|${next.port}|${next.http ? `${next.http.method} ${next.http.path}` : ''}`;
      if (seen.has(key) || allows(next.from, next.to, next.port, next.protocol, next.http)) continue;
      seen.add(key);
      denied.push(next);
    }
  }
  const kept = allowed.slice(0, maxAllowed);
  const assertions = [...kept, ...denied];
  return { text: render(cluster, assertions, allowed.length - kept.length, options), assertions, allowedLeftOut: allowed.length - kept.length };
}

/** Methods tried, in turn, for an unobserved method on an observed path (the first the app denies). */
const OTHER_METHODS = ['DELETE', 'POST', 'PUT', 'GET', 'PATCH'];

/** Every `step`-th item so that `n` of them span the list (deterministic, in order). */
function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  const step = items.length / n;
  return Array.from({ length: n }, (_, i) => items[Math.floor(i * step)]);
}

/** A container port of the pod (or the next port up) that the allowance does not name. */
function unobservedPort(ports: readonly AllowedPort[], to: TestEnd): { port: number; protocol: Protocol } | undefined {
  const named = (p: number, protocol: Protocol) => ports.some(x => x.port === p && x.protocol === protocol);
  if (to.kind === 'pod') {
    const c = to.pod.ports.find(p => !named(p.port, p.protocol));
    if (c) return { port: c.port, protocol: c.protocol };
  }
  if (ports.length === 0) return undefined;
  const { port, protocol } = ports[0];
  for (let i = 1; i < 65535; i++) {
    const candidate = ((port - 1 + i) % 65535) + 1;
    if (!named(candidate, protocol)) return { port: candidate, protocol };
  }
  return undefined;
}

/** The next address after `ip` that no pod of the cluster has, or undefined at the end of the range. */
function neighbour(cluster: ClusterModel, ip: string): string | undefined {
  const parsed = tryParseIpAddress(ip);
  if (typeof parsed === 'string') return undefined;
  const max = 2n ** BigInt(FAMILY_BITS[parsed.family]) - 1n;
  for (let v = parsed.value + 1n; v <= max && v <= parsed.value + 16n; v++) {
    const next = ipFromValue(parsed.family, v);
    if (cluster.podsWithIp(next).length === 0) return next.text;
  }
  return undefined;
}

function flowEndpoint(e: TestEnd): FlowEndpoint {
  return e.kind === 'pod' ? podEndpoint(e.pod.namespace, e.pod.name) : ipEndpoint(e.ip);
}

function describeTestEnd(e: TestEnd): string {
  return e.kind === 'pod' ? podId(e.pod) : e.ip;
}

function render(cluster: ClusterModel, assertions: readonly GeneratedAssertion[], leftOut: number, options: GenerateTestsOptions): string {
  // One PodSpec per pod used, named after its workload (or the pod).
  const names = new Map<ClusterPod, string>();
  const taken = new Set<string>(['pods', 'app']);
  const nameOf = (e: TestEnd) => {
    if (e.kind !== 'pod') return undefined;
    let name = names.get(e.pod);
    if (name === undefined) {
      const base = identifier(e.workload ? e.workload.name : e.pod.name, 'Pod');
      name = base;
      for (let i = 2; taken.has(name); i++) name = `${base}${i}`;
      taken.add(name);
      names.set(e.pod, name);
    }
    return name;
  };
  for (const a of assertions) {
    nameOf(a.from);
    nameOf(a.to);
  }
  const specs = [...names].map(([pod, name]) => {
    const ns = cluster.namespaces.get(pod.namespace);
    const nsLabels = Object.fromEntries(Object.entries(ns?.labels ?? {}).filter(([k]) => k !== NAMESPACE_NAME_LABEL));
    const fields = [`namespace: ${quote(pod.namespace)}`, `labels: ${labelsText(pod.labels)}`, `serviceAccount: ${quote(pod.serviceAccountName)}`];
    if (Object.keys(nsLabels).length > 0) fields.push(`namespaceLabels: ${labelsText(nsLabels)}`);
    return `  // pod ${comment(podId(pod))}\n  ${name}: { ${fields.join(', ')} },`;
  });
  const query = (a: GeneratedAssertion) => {
    const endText = (e: TestEnd) => (e.kind === 'pod' ? `pods.${names.get(e.pod)}` : quote(e.ip));
    const parts = [`from: ${endText(a.from)}`, `to: ${endText(a.to)}`, `port: ${a.port}`, `protocol: ${quote(a.protocol)}`];
    if (a.http) parts.push(`method: ${quote(a.http.method)}`, `path: ${quote(a.http.path)}`);
    return `{ ${parts.join(', ')} }`;
  };
  const block = (title: string, list: readonly GeneratedAssertion[]) => (list.length === 0 ? [] : [
    `describe(${quote(title)}, () => {`,
    ...list.flatMap(a => [
      `  test(${quote(a.why)}, () => {`,
      `    expect(app).${a.expectation}(${query(a)});`,
      '  });',
    ]),
    '});',
    '',
  ]);
  const allowed = assertions.filter(a => a.expectation === 'toAllow');
  const denied = assertions.filter(a => a.expectation === 'toDeny');
  return [
    `// Generated by \`cdk8s-zero-trust recommend\` from ${comment(options.flowFile)}: the observed flows the app allows must stay`,
    '// allowed, and a deterministic sample of flows nobody was observed making must stay denied. Each pod below is',
    '// one pod of the cluster snapshot (its labels, its namespace\'s labels), standing for its workload.',
    ...(leftOut > 0 ? [`// ${leftOut} more observed allowances are not asserted here (--max-allow-tests); the command proved them all.`] : []),
    `import { zeroTrustMatchers } from ${quote(options.testingModule ?? 'cdk8s-zero-trust/lib/testing')};`,
    ...(specs.length > 0 ? [`import type { PodSpec } from ${quote(options.testingModule ?? 'cdk8s-zero-trust/lib/testing')};`] : []),
    `import { app } from ${quote(options.appModule ?? './main')};`,
    '',
    'expect.extend(zeroTrustMatchers);',
    '',
    ...(specs.length > 0 ? ['const pods = {', ...specs, '} satisfies Record<string, PodSpec>;', ''] : []),
    ...block('observed flows stay allowed', allowed),
    ...block('unobserved flows stay denied', denied),
  ].join('\n');
}

function labelsText(labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return '{}';
  return `{ ${keys.map(k => `${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : quote(k)}: ${quote(labels[k])}`).join(', ')} }`;
}

/** Text for a line comment: no line breaks. */
function comment(s: string): string {
  return [...s].map(c => (c.codePointAt(0)! < 0x20 || c === '\u2028' || c === '\u2029' ? ' ' : c)).join('');
}
