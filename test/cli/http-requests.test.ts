import { CLUSTER, runCli } from './support/run-cli';

// HTTP requests as a dimension of reach, diff and explain (issue 13 item 3), on the fixture cluster
// (production/frontend → production/backend-api, TCP 8080). Expected values are read from the
// policies by hand: one Cilium L7 rule, varied in path, methods and number of rules.

function cilium(rules: readonly { method?: string; path?: string }[]): string {
  const http = rules.map((r) => `              - {${[r.method ? `method: "${r.method}"` : '', r.path ? `path: "${r.path}"` : ''].filter(Boolean).join(', ')}}`);
  return `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: backend-l7
  namespace: production
spec:
  endpointSelector:
    matchLabels:
      app: backend-api
  ingress:
    - fromEndpoints:
        - matchLabels:
            app: frontend
      toPorts:
        - ports:
            - port: "8080"
              protocol: TCP
          rules:
            http:
${http.join('\n')}
`;
}

const V1 = cilium([{ method: 'GET', path: '/api/v1/.*' }]);

async function diff(before: string, after: string, format = 'text') {
  return runCli(['diff', '--cluster', CLUSTER, '--before', 'before.yaml', '--after', 'after.yaml', '--format', format],
    { files: { 'before.yaml': before, 'after.yaml': after } });
}

interface DiffJson {
  gained: { from: string[]; to: string[]; connections: Record<string, unknown> }[];
  lost: { from: string[]; to: string[]; connections: Record<string, unknown> }[];
  classes: { id: string; pods?: string[] }[];
}

describe('HTTP requests in reach, diff and explain', () => {
  test('reach prints the requests a port is restricted to, and JSON lists them under requests', async () => {
    const text = await runCli(['reach', '--cluster', CLUSTER, '--policies', 'p.yaml'], { files: { 'p.yaml': V1 } });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('from production/frontend\n');
    expect(text.stdout).toContain('  to production/backend-api: TCP 8080 (GET /api/v1/*)\n');
    const json = await runCli(['reach', '--cluster', CLUSTER, '--policies', 'p.yaml', '--format', 'json'], { files: { 'p.yaml': V1 } });
    const document = JSON.parse(json.stdout) as { allowed: { connections: Record<string, unknown> }[] };
    expect(document.allowed.map((block) => block.connections)).toContainEqual({
      requests: [{ protocol: 'TCP', ports: [[8080, 8080]], withoutRequest: false, requests: ['GET /api/v1/*'] }],
    });
  });

  test('the --port pair list is unchanged: it is about connections without a request, which the L7 rule denies', async () => {
    const run = await runCli(['reach', '--cluster', CLUSTER, '--policies', 'p.yaml', '--port', '8080', '--format', 'json'], { files: { 'p.yaml': V1 } });
    const pairs = JSON.parse(run.stdout) as [string, string][];
    expect(pairs).not.toContainEqual(['production/frontend', 'production/backend-api']);
    expect(pairs).toContainEqual(['production/backend-api', 'production/backend-api']);
  });

  test('diff reports a changed path as the requests lost and gained, never "No change"', async () => {
    const run = await diff(V1, cilium([{ method: 'GET', path: '/api/v2/.*' }]));
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('No change');
    expect(run.stdout).toContain('  + production/frontend -> production/backend-api: TCP 8080 (GET /api/v2/*)\n');
    expect(run.stdout).toContain('  - production/frontend -> production/backend-api: TCP 8080 (GET /api/v1/*)\n');
    expect(run.stdout).toContain('TCP 8080 (GET /api/v1/*): before: CiliumNetworkPolicy production/backend-l7 ingress[0].toPorts[0]; after: ');
  });

  test('diff reports changed methods: GET lost, POST gained', async () => {
    const run = await diff(V1, cilium([{ method: 'POST', path: '/api/v1/.*' }]));
    expect(run.stdout).toContain('  + production/frontend -> production/backend-api: TCP 8080 (POST /api/v1/*)\n');
    expect(run.stdout).toContain('  - production/frontend -> production/backend-api: TCP 8080 (GET /api/v1/*)\n');
  });

  test('diff reports an added rule as a gain only, and --fail-on-gain fails on it', async () => {
    const after = cilium([{ method: 'GET', path: '/api/v1/.*' }, { path: '/healthz' }]);
    const run = await diff(V1, after, 'json');
    const document = JSON.parse(run.stdout) as DiffJson;
    expect(document.lost).toEqual([]);
    expect(document.gained.map((change) => change.connections)).toEqual([
      { requests: [{ protocol: 'TCP', ports: [[8080, 8080]], withoutRequest: false, requests: ['any method /healthz'] }] },
    ]);
    const gate = await runCli(['diff', '--cluster', CLUSTER, '--before', 'b.yaml', '--after', 'a.yaml', '--fail-on-gain'], { files: { 'b.yaml': V1, 'a.yaml': after } });
    expect(gate.code).toBe(1);
  });

  test('diff of an L7 rule against the same port at L4 reports every other request and plain TCP as gained', async () => {
    const l4 = V1.replace(/ {10}rules:\n {12}http:\n.*\n/, '');
    const run = await diff(V1, l4);
    expect(run.stdout).toContain('  + production/frontend -> production/backend-api: TCP 8080 (every request except GET /api/v1/*)\n');
  });

  test('diff of equal L7 rules written differently says "No change" (the classes are exact, not the text)', async () => {
    const run = await diff(V1, cilium([{ method: 'GET', path: '/api/v1/(.*)' }]));
    expect(run.stdout).toContain('No change in reachability');
  });

  test('explain without --port reads each part from a flow carrying its request and names the deciding rule', async () => {
    const run = await runCli(['explain', '--cluster', CLUSTER, '--policies', 'p.yaml', '--from', 'production/frontend', '--to', 'production/backend-api'],
      { files: { 'p.yaml': V1 } });
    expect(run.stdout).toContain('pod production/frontend -> pod production/backend-api: TCP 8080 (GET /api/v1/*) allowed\n');
    expect(run.stdout).toContain('ALLOWED TCP 8080 (GET /api/v1/*) (read from the flow on TCP 8080 GET /api/v1/):\n');
    expect(run.stdout).toContain('allowed by CiliumNetworkPolicy production/backend-l7 ingress[0].toPorts[0]');
  });

  test('explain --method --path decides one request and names the rule whose HTTP condition it misses', async () => {
    const base = ['explain', '--cluster', CLUSTER, '--policies', 'p.yaml', '--from', 'production/frontend', '--to', 'production/backend-api', '--port', '8080'];
    const allowed = await runCli([...base, '--method', 'GET', '--path', '/api/v1/orders'], { files: { 'p.yaml': V1 } });
    expect(allowed.stdout).toContain('ALLOWED');
    const denied = await runCli([...base, '--method', 'GET', '--path', '/api//v1/orders'], { files: { 'p.yaml': V1 } });
    expect(denied.stdout).toContain('CiliumNetworkPolicy production/backend-l7 ingress[0].toPorts[0] matches pod production/frontend on 8080/TCP but not its HTTP condition');
  });

  test('explain --method compares the method case-sensitively, as the proxies do: get is not GET', async () => {
    const base = ['explain', '--cluster', CLUSTER, '--policies', 'p.yaml', '--from', 'production/frontend', '--to', 'production/backend-api', '--port', '8080', '--path', '/api/v1/orders'];
    const lower = await runCli([...base, '--method', 'get'], { files: { 'p.yaml': V1 } });
    expect(lower.code).toBe(0);
    expect(lower.stdout).toContain('DENIED');
    expect(lower.stdout).not.toContain('ALLOWED');
    const upper = await runCli([...base, '--method', 'GET'], { files: { 'p.yaml': V1 } });
    expect(upper.stdout).toContain('ALLOWED');
  });

  test('fails with a clear error naming the rule and the pattern for a regex whose request classes cannot be derived', async () => {
    const run = await runCli(['reach', '--cluster', CLUSTER, '--policies', 'p.yaml'], { files: { 'p.yaml': cilium([{ path: '/api\\\\b.*' }]) } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/CiliumNetworkPolicy production\/backend-l7 ingress\[0\]\.toPorts\[0\]: regex .*word boundaries/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});
