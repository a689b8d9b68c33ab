import { naiveMatrix } from './naive-matrix';
import {
  AnalysisPolicy, ClusterModel, EvaluatorOptions, matrix, parseCluster, parsePolicies, PodInput, Protocol,
} from '../../../src/analysis';

/** Policies from YAML, as the CLI would read them. */
export function policiesFromYaml(text: string, file = 'policies.yaml'): AnalysisPolicy[] {
  return parsePolicies({ file, text });
}

/** A cluster model from YAML. */
export function clusterFromYaml(text: string, file = 'cluster.yaml'): ClusterModel {
  return parseCluster({ file, text });
}

/** Ports every test pod serves, as the upstream e2e suite's pods do: `serve-<port>-<protocol>`. */
export const SERVED_PORTS: readonly { port: number; protocol: Protocol }[] = [80, 81].flatMap((port) => (['TCP', 'UDP', 'SCTP'] as Protocol[]).map((protocol) => ({ port, protocol })));

/**
 * The topology the upstream netpol e2e tests use: namespaces x, y, z; pods named by `ns/name`, labelled
 * `pod=<name>`, serving 80 and 81 on TCP, UDP and SCTP under port names `serve-<port>-<protocol>`.
 * Pod IPs are 10.<ns>.0.<n> (x=1, y=2, z=3) so ipBlock tests can address them.
 */
export function threeNamespaceCluster(
  podIds: readonly string[],
  extra: { namespaceLabels?: Record<string, Record<string, string>>; podLabels?: Record<string, Record<string, string>> } = {},
): ClusterModel {
  const namespaceNumber: Record<string, number> = { x: 1, y: 2, z: 3 };
  const pods: PodInput[] = podIds.map((id, i) => {
    const [namespace, name] = id.split('/');
    return {
      namespace,
      name,
      labels: { pod: name, ...(extra.podLabels?.[id] ?? {}) },
      ips: [`10.${namespaceNumber[namespace] ?? 9}.0.${i + 10}`],
      ports: SERVED_PORTS.map(({ port, protocol }) => ({ name: `serve-${port}-${protocol.toLowerCase()}`, port, protocol })),
    };
  });
  return ClusterModel.create({
    namespaces: ['x', 'y', 'z'].map((name) => ({ name, labels: extra.namespaceLabels?.[name] ?? {} })),
    pods,
  });
}

/**
 * Renders allowed pairs as a truth table: rows are sources, columns destinations, `.` allowed, `X` denied.
 * Jest diffs of two tables point at the exact cell that differs.
 */
export function renderTruthTable(podIds: readonly string[], allowed: readonly [string, string][]): string {
  const set = new Set(allowed.map(([source, destination]) => `${source}>${destination}`));
  const width = Math.max(...podIds.map((id) => id.length));
  const pad = (text: string) => text.padEnd(width);
  const lines = [`${pad('')} ${podIds.map(pad).join(' ')}`.trimEnd()];
  for (const source of podIds) {
    const cells = podIds.map((destination) => pad(set.has(`${source}>${destination}`) ? '.' : 'X'));
    lines.push(`${pad(source)} ${cells.join(' ')}`.trimEnd());
  }
  return lines.join('\n');
}

/** Re-renders a hand-written truth table in canonical spacing so it can be compared. */
export function normalizeTruthTable(table: string): { podIds: string[]; text: string } {
  const rows = table.trim().split('\n').map((line) => line.trim().split(/\s+/));
  const podIds = rows[0];
  const allowed: [string, string][] = [];
  for (const row of rows.slice(1)) {
    const [source, ...cells] = row;
    if (cells.length !== podIds.length) {
      throw new Error(`truth table row ${source} has ${cells.length} cells, expected ${podIds.length}`);
    }
    cells.forEach((cell, i) => {
      if (cell !== '.' && cell !== 'X') {
        throw new Error(`truth table cell ${source} -> ${podIds[i]} is "${cell}"; use "." (allowed) or "X" (denied)`);
      }
      if (cell === '.') {
        allowed.push([source, podIds[i]]);
      }
    });
  }
  return { podIds, text: renderTruthTable(podIds, allowed) };
}

/**
 * Asserts the full matrix on a port and protocol against a truth table, computing it twice: grouped
 * (`matrix`) and pair by pair (`evaluate`). Both must match the table.
 */
export function expectTruthTable(
  cluster: ClusterModel,
  policies: readonly AnalysisPolicy[],
  port: number,
  protocol: Protocol,
  table: string,
  options: EvaluatorOptions = {},
): void {
  const expected = normalizeTruthTable(table);
  const podIds = cluster.pods.map((pod) => `${pod.namespace}/${pod.name}`);
  expect([...expected.podIds].sort()).toEqual([...podIds].sort());
  const grouped = matrix(cluster, policies, port, protocol, options).allowedPairs();
  expect(renderTruthTable(expected.podIds, grouped)).toEqual(expected.text);
  expect(renderTruthTable(expected.podIds, naiveMatrix(cluster, policies, port, protocol, options))).toEqual(expected.text);
}
