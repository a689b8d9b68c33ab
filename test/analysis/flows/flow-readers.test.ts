import * as fs from 'fs';
import * as path from 'path';
import { FlowFileReader, FlowFileOptions, FlowInputError, ObservedFlow } from '../../../src/analysis';

const FIXTURES = path.join(__dirname, 'fixtures');

interface Read {
  readonly flows: { flow: ObservedFlow; count: number; line: number }[];
  readonly skipped: { reason: string; line: number; lostEvents?: number }[];
  readonly format: string | undefined;
}

/** Reads text through the reader in chunks of `chunk` bytes (so records cross chunk boundaries). */
function readText(text: string, options: FlowFileOptions = {}, chunk = 97, file = 'flows'): Read {
  const flows: Read['flows'] = [];
  const skipped: Read['skipped'] = [];
  const reader = new FlowFileReader(file, {
    flow: (flow, count, line) => flows.push({ flow, count, line }),
    skipped: (reason, line, lostEvents) => skipped.push({ reason, line, ...(lostEvents !== undefined ? { lostEvents } : {}) }),
  }, options);
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += chunk) reader.push(bytes.subarray(i, i + chunk));
  reader.end();
  return { flows, skipped, format: reader.detectedFormat };
}

function readFixture(name: string, options: FlowFileOptions = {}): Read {
  return readText(fs.readFileSync(path.join(FIXTURES, name), 'utf8'), options, 113, name);
}

function errorOf(run: () => unknown): FlowInputError {
  try {
    run();
  } catch (e) {
    if (e instanceof FlowInputError) return e;
    throw e;
  }
  throw new Error('expected a FlowInputError');
}

const frontend = { kind: 'pod', namespace: 'production', name: 'frontend', ip: '10.0.1.10' };
const backend = { kind: 'pod', namespace: 'production', name: 'backend-api', ip: '10.0.1.11' };

describe('Hubble JSON export (hubble observe -o json)', () => {
  const read = readFixture('hubble-observe.jsonl');

  test('recognises the format from the first record', () => {
    expect(read.format).toBe('hubble');
  });

  test('reads a forwarded trace at the destination endpoint as an allowed connection', () => {
    const first = read.flows.find(f => f.line === 1)!;
    expect(first.flow).toEqual({
      source: frontend, destination: backend, protocol: 'TCP', port: 8080, observation: { kind: 'allowed', scope: 'connection' },
    });
    expect(first.count).toBe(1);
  });

  test('skips replies, L7 responses, socket traces and events that are not flows, and counts lost events', () => {
    expect(read.skipped.map(s => s.line)).toEqual([2, 5, 10, 13, 14, 17]);
    expect(read.skipped.find(s => s.line === 14)).toEqual({ reason: 'Hubble lost events (lost_events)', line: 14, lostEvents: 17 });
    expect(read.flows.length + read.skipped.length).toBe(21);
  });

  test('reads POLICY_DENIED drops at egress as denied by policy in that direction', () => {
    expect(read.flows.find(f => f.line === 3)!.flow).toEqual({
      source: frontend,
      destination: { kind: 'pod', namespace: 'production', name: 'redis', ip: '10.0.1.12' },
      protocol: 'TCP',
      port: 6379,
      observation: { kind: 'denied', direction: 'egress', audit: false, reason: 'POLICY_DENIED' },
    });
  });

  test('reads a DNS request from the proxy as allowed at the source\'s egress', () => {
    const dns = read.flows.find(f => f.line === 4)!.flow;
    expect(dns.protocol).toBe('UDP');
    expect(dns.port).toBe(53);
    expect(dns.destination).toEqual({ kind: 'pod', namespace: 'kube-system', name: 'coredns', ip: '10.0.3.10' });
    expect(dns.observation).toEqual({ kind: 'allowed', scope: 'egress' });
    expect(dns.http).toBeUndefined();
  });

  test('reads reserved:world-ipv4 and world-ipv6 destinations as external addresses', () => {
    expect(read.flows.find(f => f.line === 6)!.flow.destination).toEqual({ kind: 'address', ip: '203.0.113.10', identity: 'world' });
    expect(read.flows.find(f => f.line === 6)!.flow.observation).toEqual({ kind: 'allowed', scope: 'egress' });
    const v6 = read.flows.find(f => f.line === 18)!.flow;
    expect(v6.destination).toEqual({ kind: 'address', ip: '2001:db8::10', identity: 'world' });
    expect(v6.protocol).toBe('UDP');
  });

  test('reads reserved:host and reserved:remote-node sources as nodes by address', () => {
    expect(read.flows.find(f => f.line === 7)!.flow.source).toEqual({ kind: 'node', ip: '10.0.1.1', identity: 'host' });
    expect(read.flows.find(f => f.line === 19)!.flow.source).toEqual({ kind: 'node', ip: '192.168.10.2', identity: 'remote-node' });
  });

  test('reads a policy verdict with the policy that allowed it and the intent its labels name', () => {
    const verdict = read.flows.find(f => f.line === 8)!.flow;
    expect(verdict.observation).toEqual({ kind: 'allowed', scope: 'connection' });
    expect(verdict.recordedBy).toEqual([{
      name: 'allow-monitoring-access',
      namespace: 'production',
      kind: 'CiliumNetworkPolicy',
      intent: { kind: 'AllowFrom', constructPath: 'prod/monitoring-to-backend' },
    }]);
  });

  test('reads an HTTP request with its method and the path of its URL, query included', () => {
    expect(read.flows.find(f => f.line === 9)!.flow.http).toEqual({ method: 'GET', path: '/api/v1/orders?page=2' });
  });

  test('reads an explicit deny (POLICY_DENY) with the policy that denied it', () => {
    const denied = read.flows.find(f => f.line === 11)!.flow;
    expect(denied.observation).toEqual({ kind: 'denied', direction: 'ingress', audit: false, reason: 'POLICY_DENY' });
    expect(denied.recordedBy).toEqual([{ name: 'deny-grafana', namespace: 'production' }]);
  });

  test('reads a bare Flow (the legacy output) with lowerCamel names and enum numbers', () => {
    expect(read.flows.find(f => f.line === 12)!.flow).toEqual({
      source: frontend, destination: backend, protocol: 'TCP', port: 8080, observation: { kind: 'allowed', scope: 'connection' },
    });
  });

  test('reads datapath drops as dropped, never as a policy decision', () => {
    expect(read.flows.find(f => f.line === 15)!.flow.observation).toEqual({ kind: 'dropped', reason: 'CT_MISSING_TCP_ACK_FLAG' });
  });

  test('reads the AUDIT verdict as a denial policy audit mode reports', () => {
    expect(read.flows.find(f => f.line === 16)!.flow.observation).toMatchObject({ kind: 'denied', direction: 'ingress', audit: true });
  });

  test('reads ICMP without a port, and a trace from the source endpoint as no decision', () => {
    const icmp = read.flows.find(f => f.line === 20)!.flow;
    expect(icmp.protocol).toBe('ICMPv4');
    expect(icmp.port).toBeUndefined();
    expect(read.flows.find(f => f.line === 21)!.flow.observation).toEqual({ kind: 'none' });
  });

  test('gives the same records whatever the chunk size', () => {
    const text = fs.readFileSync(path.join(FIXTURES, 'hubble-observe.jsonl'), 'utf8');
    expect(readText(text, {}, 1)).toEqual(readText(text, {}, 2 ** 20));
  });
});

describe('Calico flow logs', () => {
  test('reads a Whisker list response over several lines: one record per item', () => {
    const read = readFixture('whisker-flows.json');
    expect(read.format).toBe('calico');
    expect(read.flows.map(f => f.line)).toEqual([7, 28, 50, 71]);
    expect(read.flows[0].flow).toEqual({
      source: { kind: 'pod', namespace: 'production', name: 'frontend' },
      destination: { kind: 'pod', namespace: 'production', name: 'backend-api' },
      protocol: 'TCP',
      port: 8080,
      observation: { kind: 'allowed', scope: 'connection' },
      recordedBy: [{ name: 'allow-frontend-to-backend', kind: 'NetworkPolicy', namespace: 'production', tier: 'default', ruleIndex: 0 }],
    });
  });

  test('reads a Whisker end-of-tier deny as denied at the reporter\'s side, naming the policy that selected the endpoint', () => {
    const read = readFixture('whisker-flows.json');
    expect(read.flows[1].flow.observation).toEqual({ kind: 'denied', direction: 'egress', audit: false, reason: 'Calico policy Deny (or the end of a tier)' });
    expect(read.flows[1].flow.recordedBy).toEqual([{ name: 'default-deny-all', kind: 'NetworkPolicy', namespace: 'production', tier: 'default', ruleIndex: -1 }]);
  });

  test('reads Whisker\'s PUBLIC NETWORK as the public network and an aggregated name as a pod name prefix', () => {
    const read = readFixture('whisker-flows.json');
    expect(read.flows[2].flow.destination).toEqual({ kind: 'network', scope: 'public' });
    expect(read.flows[2].flow.recordedBy![0].kind).toBe('projectcalico.org/NetworkPolicy');
    expect(read.flows[3].flow.source).toEqual({ kind: 'pods', namespace: 'monitoring', namePrefix: 'prometheus-5d8f7b6c9-' });
  });

  test('reads the same Whisker list response written on one line', () => {
    const doc = JSON.stringify(JSON.parse(fs.readFileSync(path.join(FIXTURES, 'whisker-flows.json'), 'utf8')));
    const read = readText(`${doc}\n`);
    expect(read.flows.map(f => f.flow)).toEqual(readFixture('whisker-flows.json').flows.map(f => f.flow));
    expect(read.flows.every(f => f.line === 1)).toBe(true);
  });

  test('reads a Whisker watch stream (server-sent events)', () => {
    const read = readFixture('whisker-watch.sse');
    expect(read.format).toBe('calico');
    expect(read.flows.map(f => [f.line, f.flow.observation.kind, f.flow.protocol, f.flow.port])).toEqual([[2, 'denied', 'TCP', 8080], [4, 'allowed', 'UDP', 53]]);
    expect(read.flows[0].flow.observation).toMatchObject({ direction: 'ingress' });
  });

  test('reads Goldmane\'s emitter records: enums as numbers, endpoint types, host endpoints and the private network', () => {
    const read = readFixture('goldmane-emitter.jsonl');
    expect(read.format).toBe('calico');
    expect(read.flows[0].flow).toEqual({
      source: { kind: 'pod', namespace: 'production', name: 'frontend' },
      destination: { kind: 'pod', namespace: 'production', name: 'backend-api' },
      protocol: 'TCP',
      port: 8080,
      observation: { kind: 'allowed', scope: 'egress' },
      recordedBy: [{ name: 'frontend-egress-to-backend', kind: 'NetworkPolicy', namespace: 'production', tier: 'default', ruleIndex: 0 }],
    });
    expect(read.flows[1].flow.source).toEqual({ kind: 'network', scope: 'private' });
    expect(read.flows[1].flow.observation).toMatchObject({ kind: 'denied', direction: 'ingress' });
    expect(read.flows[1].flow.recordedBy).toEqual([{ name: 'default-deny-all', kind: 'NetworkPolicy', namespace: 'production', tier: 'default', ruleIndex: -1 }]);
    expect(read.flows[2].flow.source).toMatchObject({ kind: 'other', label: 'host endpoint worker-1' });
  });

  test('reads Calico Enterprise flow logs with addresses, aggregated names and policy strings', () => {
    const read = readFixture('calico-enterprise-flowlogs.jsonl');
    expect(read.format).toBe('calico');
    expect(read.flows[0].flow).toEqual({
      source: { kind: 'pod', namespace: 'production', name: 'frontend', ip: '10.0.1.10' },
      destination: { kind: 'pod', namespace: 'production', name: 'backend-api', ip: '10.0.1.11' },
      protocol: 'TCP',
      port: 8080,
      observation: { kind: 'allowed', scope: 'connection' },
      recordedBy: [{ name: 'allow-frontend-to-backend', kind: 'NetworkPolicy', namespace: 'production', tier: 'default', ruleIndex: 0 }],
    });
    // Aggregated (source_name "-"): the aggregated name; a network destination with its address.
    expect(read.flows[1].flow.source).toEqual({ kind: 'pods', namespace: 'production', namePrefix: 'frontend-' });
    expect(read.flows[1].flow.destination).toEqual({ kind: 'address', ip: '198.51.100.7', identity: 'world' });
    // all_policies when enforced_policies is absent.
    expect(read.flows[1].flow.recordedBy).toEqual([{ name: 'default-deny-all', kind: 'NetworkPolicy', namespace: 'production', tier: 'default', ruleIndex: -1 }]);
    expect(read.flows[2].flow.recordedBy).toEqual([
      { name: 'platform.allow-scrape', kind: 'projectcalico.org/GlobalNetworkPolicy', tier: 'platform', ruleIndex: 0 },
      { name: 'default.backend-scrape', kind: 'projectcalico.org/NetworkPolicy', namespace: 'production', tier: 'default', ruleIndex: 1 },
    ]);
  });
});

describe('the neutral flow format', () => {
  test('reads CSV with a header, comments, quoting, counts and optional verdicts', () => {
    const read = readFixture('neutral-flows.csv');
    expect(read.format).toBe('csv');
    expect(read.flows.map(f => [f.line, f.count])).toEqual([[3, 120], [4, 3], [5, 40], [6, 1], [7, 9]]);
    expect(read.flows[0].flow).toEqual({
      source: { kind: 'pod', namespace: 'production', name: 'frontend' },
      destination: { kind: 'pod', namespace: 'production', name: 'backend-api' },
      protocol: 'TCP',
      port: 8080,
      http: { method: 'GET', path: '/api/v1/orders' },
      observation: { kind: 'allowed', scope: 'connection' },
    });
    expect(read.flows[2].flow.destination).toEqual({ kind: 'address', ip: '10.0.1.11', identity: 'unknown' });
    expect(read.flows[2].flow.observation).toEqual({ kind: 'none' });
    expect(read.flows[4].flow.protocol).toBe('UDP');
  });

  test('reads JSON lines with numbers or strings for the port', () => {
    const read = readFixture('neutral-flows.jsonl');
    expect(read.format).toBe('json');
    expect(read.flows.map(f => [f.flow.port, f.count, f.flow.observation.kind])).toEqual([[8080, 4, 'allowed'], [8080, 1, 'denied'], [80, 1, 'none']]);
    expect(read.flows[2].flow.source).toEqual({ kind: 'address', ip: 'fd00:10::5', identity: 'unknown' });
  });

  test('keeps the method as recorded: the proxies compare methods case-sensitively, so get is not GET', () => {
    const read = readText('{"source":"a/b","destination":"a/c","port":8080,"protocol":"TCP","method":"get","path":"/x"}\n');
    expect(read.flows[0].flow.http).toEqual({ method: 'get', path: '/x' });
  });

  test('reads a JSON array of neutral records', () => {
    const read = readText('[\n{"source":"a/b","destination":"10.0.0.1","port":1,"protocol":"udp"},\n{"source":"a/c","destination":"a/b","port":2,"protocol":"TCP"}\n]\n');
    expect(read.flows.map(f => [f.line, f.flow.port])).toEqual([[2, 1], [3, 2]]);
  });
});

describe('errors name the file, line and field', () => {
  test('fails on a Hubble record with two L4 protocols', () => {
    const line = '{"flow":{"verdict":"FORWARDED","IP":{"source":"10.0.0.1","destination":"10.0.0.2"},"l4":{"TCP":{"destination_port":80},"UDP":{"destination_port":53}}}}';
    expect(errorOf(() => readText(`${line}\n`)).message).toBe('flows, line 1: flow.l4: expected exactly one of TCP, UDP, SCTP, ICMPv4, ICMPv6 (a oneof), got TCP and UDP');
  });

  test('fails on a Hubble record with an invalid address', () => {
    const ok = fs.readFileSync(path.join(FIXTURES, 'hubble-observe.jsonl'), 'utf8').split('\n')[0];
    const bad = ok.replace('"destination":"10.0.1.11"', '"destination":"10.0.1.999"');
    const error = errorOf(() => readText(`${ok}\n${bad}\n`));
    expect(error.line).toBe(2);
    expect(error.field).toBe('flow.IP.destination');
  });

  test('fails on a TCP flow without a destination port (protojson leaves 0 out)', () => {
    const line = '{"flow":{"verdict":"FORWARDED","IP":{"source":"10.0.0.1","destination":"10.0.0.2"},"l4":{"TCP":{"source_port":80}}}}';
    expect(errorOf(() => readText(line)).message).toMatch(/^flows, line 1: flow\.l4\.TCP\.destination_port: is missing or 0/);
  });

  test('fails on a field of the wrong type', () => {
    const line = '{"flow":{"verdict":"FORWARDED","IP":{"source":"10.0.0.1","destination":"10.0.0.2"},"l4":{"TCP":{"destination_port":80}},"is_reply":"no"}}';
    expect(errorOf(() => readText(line)).message).toBe('flows, line 1: flow.is_reply: expected true or false, got "no"');
  });

  test('fails on invalid JSON with its line', () => {
    const ok = '{"source":"a/b","destination":"a/c","port":80,"protocol":"TCP"}';
    const error = errorOf(() => readText(`${ok}\n\n${ok.slice(0, 20)}\n`));
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/invalid JSON/);
  });

  test('fails on a record of no known format and says how to name one', () => {
    expect(errorOf(() => readText('{"hello":"world"}\n')).message).toMatch(/not a flow record of a known format.*--flows-format/);
  });

  test('fails on a CSV header without the port column', () => {
    expect(errorOf(() => readText('source,destination,protocol\na/b,a/c,TCP\n')).message).toMatch(/^flows, line 1: header: the column port is missing/);
  });

  test('fails on a CSV record with a bad port, naming the column', () => {
    const error = errorOf(() => readText('source,destination,port,protocol\na/b,a/c,0,TCP\n'));
    expect([error.line, error.field]).toEqual([2, 'port']);
  });

  test('fails on a neutral JSON record with a field the format does not have', () => {
    expect(errorOf(() => readText('{"source":"a/b","destination":"a/c","port":80,"protocol":"TCP","dport":80}')).field).toBe('dport');
  });

  test('fails on a Calico record with an unknown reporter', () => {
    const error = errorOf(() => readText('{"source_name":"a","source_namespace":"x","dest_name":"b","dest_namespace":"x","protocol":"tcp","dest_port":80,"action":"Allow","reporter":"Both"}'));
    expect(error.message).toBe('flows, line 1: reporter: expected Src or Dst, got "Both"');
  });

  test('fails on a line longer than the record bound', () => {
    const line = `{"source":"a/b","destination":"a/c","port":80,"protocol":"TCP"}\n{"source":"${'x'.repeat(300)}"}\n`;
    expect(errorOf(() => readText(line, { maxRecordBytes: 200 })).message).toMatch(/^flows, line 2: the line is longer than 200 bytes/);
  });

  test('fails on a JSON document that is cut off', () => {
    expect(errorOf(() => readText('{"items":[{"source":"a/b","destination":"a/c","port":80,"protocol":"TCP"},\n{"source":')).message).toMatch(/ends before it is complete/);
  });

  test('fails on an array of something other than records', () => {
    expect(errorOf(() => readText('[1, 2]')).message).toMatch(/expected flow records \(JSON objects\)/);
  });
});
