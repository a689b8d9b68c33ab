// A million Hubble records over the analysis estate (issue 16 item 6), for `audit`: what
// `hubble observe -o json` prints (test/analysis/flows/fixtures/README.md says where each field
// comes from), written in batches so the file is never held whole. The mix, per record:
// 40 % the intra-namespace allowance (svc-04 -> svc-00 TCP 8080, forwarded at the endpoint),
// 15 % the cross-namespace one (svc-05 -> the previous namespace's svc-01 TCP 8085), 15 % DNS
// requests from the proxy, 10 % replies (skipped), 10 % policy drops at egress (svc-00 -> svc-09
// TCP 8080), 5 % internet egress (svc-07 -> 203.0.113.0-15 TCP 443) and 5 % HTTP requests
// (svc-04 -> svc-00 GET /api/v1/items/<n>).
import * as fs from 'fs';
import { AnalysisEstateSize } from './analysis-estate';
import { random } from './measure';

const ns = (i: number) => `team-${String(i).padStart(4, '0')}`;
const svc = (j: number) => `svc-${String(j).padStart(2, '0')}`;
const ipv4 = (x: number) => `10.${Math.floor(x / 65536) % 256}.${Math.floor(x / 256) % 256}.${x % 256}`;

/** Writes `records` Hubble records over the estate's pods to `file`; returns the bytes written. */
export function writeHubbleFlows(size: AnalysisEstateSize, file: string, records: number): number {
  const rnd = random(16);
  // Addresses as analysis-estate.ts assigns them: the two CoreDNS pods first, then every workload pod in order.
  const podIp = (i: number, j: number, p: number) => ipv4(3 + (i * size.workloads + j) * size.podsPerWorkload + p);
  const endpoint = (i: number, j: number, p: number) => ({
    ID: 1000 + ((i * size.workloads + j) * size.podsPerWorkload + p) % 60000,
    identity: 20000 + i * size.workloads + j,
    namespace: ns(i),
    labels: [`k8s:app=${svc(j)}`, `k8s:io.kubernetes.pod.namespace=${ns(i)}`],
    pod_name: `${svc(j)}-${p}`,
  });
  const coredns = { ID: 12, identity: 5210, namespace: 'kube-system', labels: ['k8s:k8s-app=kube-dns', 'k8s:io.kubernetes.pod.namespace=kube-system'], pod_name: 'coredns-0' };
  const fd = fs.openSync(file, 'w');
  let bytes = 0;
  let batch: string[] = [];
  const time = Date.parse('2026-08-20T10:00:00Z');
  try {
    for (let n = 0; n < records; n++) {
      const i = Math.floor(rnd() * size.namespaces);
      const p = Math.floor(rnd() * size.podsPerWorkload);
      const q = Math.floor(rnd() * size.podsPerWorkload);
      const kind = rnd();
      const t = new Date(time + n).toISOString();
      let flow: Record<string, unknown>;
      const tcp = (from: number[], to: number[] | null, port: number, sport: number, extra: Record<string, unknown>) => ({
        time: t,
        verdict: 'FORWARDED',
        IP: { source: podIp(from[0], from[1], from[2]), destination: to ? podIp(to[0], to[1], to[2]) : `203.0.113.${n % 16}`, ipVersion: 'IPv4' },
        l4: { TCP: { source_port: sport, destination_port: port, flags: { SYN: true } } },
        source: endpoint(from[0], from[1], from[2]),
        destination: to ? endpoint(to[0], to[1], to[2]) : { identity: 2, labels: ['reserved:world'] },
        Type: 'L3_L4',
        node_name: `node-${n % size.nodes}`,
        event_type: { type: 4 },
        is_reply: false,
        ...extra,
      });
      const sport = 32768 + (n % 28000);
      if (kind < 0.40) {
        flow = tcp([i, 4, p], [i, 0, q], 8080, sport, { traffic_direction: 'INGRESS', trace_observation_point: 'TO_ENDPOINT' });
      } else if (kind < 0.55) {
        flow = tcp([i, 5, p], [(i + size.namespaces - 1) % size.namespaces, 1, q], 8085, sport, { traffic_direction: 'INGRESS', trace_observation_point: 'TO_ENDPOINT' });
      } else if (kind < 0.70) {
        const j = Math.floor(rnd() * size.workloads);
        flow = {
          time: t,
          verdict: 'FORWARDED',
          IP: { source: podIp(i, j, p), destination: ipv4(1), ipVersion: 'IPv4' },
          l4: { UDP: { source_port: sport, destination_port: 53 } },
          source: endpoint(i, j, p),
          destination: coredns,
          Type: 'L7',
          node_name: `node-${n % size.nodes}`,
          l7: { type: 'REQUEST', dns: { query: `svc-${n % 10}.${ns(i)}.svc.cluster.local.`, observation_source: 'proxy', qtypes: ['A'] } },
          event_type: { type: 129 },
          traffic_direction: 'EGRESS',
          is_reply: false,
        };
      } else if (kind < 0.80) {
        flow = { ...tcp([i, 0, q], [i, 4, p], sport, 8080, { traffic_direction: 'INGRESS', trace_observation_point: 'TO_ENDPOINT' }), is_reply: true };
      } else if (kind < 0.90) {
        flow = {
          ...tcp([i, 0, p], [i, 9, q], 8080, sport, { traffic_direction: 'EGRESS', drop_reason_desc: 'POLICY_DENIED', event_type: { type: 1, sub_type: 133 } }),
          verdict: 'DROPPED',
          drop_reason: 133,
        };
      } else if (kind < 0.95) {
        flow = tcp([i, 7, p], null, 443, sport, { traffic_direction: 'EGRESS', trace_observation_point: 'TO_STACK', destination_names: ['api.example.com'] });
      } else {
        flow = {
          ...tcp([i, 4, p], [i, 0, q], 8080, sport, { traffic_direction: 'INGRESS' }),
          Type: 'L7',
          l7: { type: 'REQUEST', http: { method: 'GET', url: `http://svc-00.${ns(i)}:8080/api/v1/items/${n % 50}`, protocol: 'HTTP/1.1' } },
          event_type: { type: 129 },
        };
      }
      batch.push(JSON.stringify({ flow, node_name: `node-${n % size.nodes}`, time: t }));
      if (batch.length === 10_000) {
        const text = `${batch.join('\n')}\n`;
        bytes += fs.writeSync(fd, text);
        batch = [];
      }
    }
    if (batch.length) bytes += fs.writeSync(fd, `${batch.join('\n')}\n`);
  } finally {
    fs.closeSync(fd);
  }
  return bytes;
}
