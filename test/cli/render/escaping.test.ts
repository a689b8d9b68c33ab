import { AnalysisPolicy, ClusterModel, ClusterNamespace, ClusterPod, ReachabilityAnalyzer } from '../../../src/analysis';
import { connectionFocus } from '../../../src/cli/port-selection';
import { reachReport } from '../../../src/cli/reach-report';
import { diffReachability } from '../../../src/cli/reachability-diff';
import { renderDiffMarkdown } from '../../../src/cli/render/diff-markdown';
import { renderDiffText } from '../../../src/cli/render/diff-text';
import { markdownCode } from '../../../src/cli/render/markdown-escape';
import { mermaidLabel } from '../../../src/cli/render/mermaid-escape';
import { renderReachMarkdown } from '../../../src/cli/render/reach-markdown';
import { renderReachMermaid } from '../../../src/cli/render/reach-mermaid';
import { renderReachText } from '../../../src/cli/render/reach-text';
import { escapeText } from '../../../src/cli/render/text-escape';
import { runCli } from '../support/run-cli';

// The gate runs on pull-request content: names of policies, pods, namespaces and files are
// untrusted. Whatever they contain, no output format may carry a live link, a new Mermaid
// statement or a raw control byte. Markdown is checked with an independent parser (commonmark).

// eslint-disable-next-line @typescript-eslint/no-require-imports
const commonmark = require('commonmark') as { Parser: new () => { parse(text: string): MarkdownNode } };
interface MarkdownNode {
  type: string;
  literal: string | null;
  walker(): { next(): { entering: boolean; node: MarkdownNode } | null };
}

/** Node types, code-span texts and inline HTML of a Markdown document, as commonmark reads it. */
function markdownNodes(text: string): { types: Set<string>; code: string[]; html: Set<string> } {
  const walker = new commonmark.Parser().parse(text).walker();
  const types = new Set<string>();
  const code: string[] = [];
  const html = new Set<string>();
  for (let event = walker.next(); event; event = walker.next()) {
    if (event.entering) {
      types.add(event.node.type);
      if (event.node.type === 'code') code.push(event.node.literal ?? '');
      if (event.node.type === 'html_inline') html.add(event.node.literal ?? '');
    }
  }
  return { types, code, html };
}

const LINK = 'x [click](https://evil.example/login)';
const HOSTILE = [LINK, 'a`b``c', '<img src=x onerror=alert(1)>', 'line\nbreak', 'pipe | cell', '\u001b[31mred\u001b[0m', '**bold** _it_ \\', 'rtl\u202eevil'];

describe('escaping untrusted text', () => {
  test('text: control characters, escape bytes, separators and bidi overrides are shown escaped, a backslash doubled', () => {
    expect(escapeText('a\u001b[31mb')).toBe('a\\x1b[31mb');
    expect(escapeText('one\ntwo\r\tthree')).toBe('one\\ntwo\\r\\tthree');
    expect(escapeText('x\u202ey\u2028z\u0085')).toBe('x\\u202ey\\u2028z\\x85');
    expect(escapeText('a\\nb')).toBe('a\\\\nb');
    expect(escapeText('plain text/ok [x](y)')).toBe('plain text/ok [x](y)');
  });

  test.each(HOSTILE)('markdown: %j is one code span holding exactly its text, and never a link or HTML', (name) => {
    for (const where of ['inline', 'table'] as const) {
      const span = markdownCode(name, where);
      const nodes = markdownNodes(`before ${span} after`);
      expect([...nodes.types].sort()).toEqual(['code', 'document', 'paragraph', 'text']);
      // commonmark does not read GFM tables, so a table cell's `\|` stays in its code span.
      const shown = where === 'table' ? nodes.code[0].replace(/\\\|/g, '|') : nodes.code[0];
      expect(shown).toBe(escapeText(name));
    }
  });

  test.each(HOSTILE)('mermaid: %j is one quoted label with no quote, newline, bracket or semicolon inside', (name) => {
    const label = mermaidLabel(name);
    expect(label).toMatch(/^"[A-Za-z0-9 ./:,_@+=#;-]*"$/);
    expect(label.slice(1, -1)).not.toMatch(/["\n[\]{}()|<>%`]/);
    // Entities are `#<code>;`, so the only semicolons are entity ends.
    expect(label.slice(1, -1).replace(/#\d+;/g, '')).not.toContain(';');
  });
});

describe('every format of reach and diff escapes names', () => {
  const hostileNames: Record<string, string> = { web: 'web\n  p9 --> p0', db: `db ${LINK}` };
  const valid = ClusterModel.create({
    namespaces: [{ name: 'shop' }],
    pods: [
      { namespace: 'shop', name: 'web', labels: { app: 'web' }, ips: ['10.0.0.1'] },
      { namespace: 'shop', name: 'db', labels: { app: 'db' }, ips: ['10.0.0.2'] },
    ],
  });
  // The model refuses such names as the API server does (the first defence); the renderers must
  // escape whatever reaches them all the same (the second), so the model is built past the check.
  const Unchecked = ClusterModel as unknown as new (namespaces: Map<string, ClusterNamespace>, pods: ClusterPod[]) => ClusterModel;
  const cluster = new Unchecked(new Map(valid.namespaces), valid.pods.map((pod) => ({ ...pod, name: hostileNames[pod.name] })));

  test('throws on those names when a model is created: they never come from a cluster file', () => {
    for (const name of Object.values(hostileNames)) {
      expect(() => ClusterModel.create({ pods: [{ namespace: 'shop', name, ips: ['10.0.0.1'] }] })).toThrow(/invalid name/);
    }
  });
  const policy = (name: string, app: string, port: number): AnalysisPolicy => ({
    ref: { kind: 'NetworkPolicy', namespace: 'shop', name },
    layer: 'network',
    tier: { name: 'kubernetes', order: 0, defaultAction: 'deny' },
    enforced: true,
    subject: { namespaces: { kind: 'names', names: ['shop'] }, pods: { op: 'in', key: 'app', values: [app] } },
    ingress: { isolates: true, rules: [{ label: 'ingress[0]', action: 'allow', ports: [{ protocol: 'TCP', port }] }] },
  });
  const before = new ReachabilityAnalyzer(cluster, [policy('deny-db', 'db', 80)]);
  const after = new ReachabilityAnalyzer(cluster, [policy(`evil ${LINK}\u001b]8;;https://evil.example\u0007`, 'db', 81)]);

  test('reach text has no raw control character, and markdown no link', () => {
    const report = reachReport(after.connectivity(), connectionFocus({}));
    // eslint-disable-next-line no-control-regex
    expect(renderReachText(report)).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    const markdown = markdownNodes(renderReachMarkdown(report));
    expect(markdown.types.has('link')).toBe(false);
    expect([...markdown.html].filter((html) => html !== '<br>')).toEqual([]); // <br> is ours, between the endpoints of a cell
  });

  test('reach mermaid: a name with a newline cannot open a statement', () => {
    const mermaid = renderReachMermaid(reachReport(after.connectivity(), connectionFocus({}))).split('\n');
    expect(mermaid.filter((line) => line.includes('p9 --> p0') || line.startsWith('  p9'))).toEqual([]);
    for (const line of mermaid.slice(1).filter((l) => l.length > 0)) {
      expect(line).toMatch(/^ {2}(subgraph \w+ \["[^"\n]*"\]|end|%% [\x20-\x7e]*| {2}\w+\["[^"\n]*"\]|\w+ -->\|"[^"\n]*"\| \w+)$/);
    }
  });

  test('diff markdown and text: a policy named like a link stays text, its escape sequence is shown, not sent', () => {
    const diff = diffReachability(before, after, connectionFocus({}));
    expect(diff.gainedPairs + diff.lostPairs).toBeGreaterThan(0);
    const markdown = renderDiffMarkdown(diff, 100);
    expect(markdownNodes(markdown).types.has('link')).toBe(false);
    expect(markdown).toContain('`before: NetworkPolicy shop/deny-db ingress[0]`');
    const text = renderDiffText(diff);
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(text).toContain('\\x1b]8;;https://evil.example\\x07');
  });

  test('error lines quote the input escaped: one line, no raw control character', async () => {
    const run = await runCli(['explain', '--cluster', 'test/cli/fixtures/cluster.yaml', '--policies', 'test/cli/fixtures/policies.yaml',
      '--from', 'production/a\u001b[2J\nb', '--to', 'production/redis', '--port', '80']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: source: unknown pod production\/a\\x1b\[2J\\nb \(pods in production: /);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  test('explain and lint: file names are untrusted too', async () => {
    const file = `p\u001b[2J${LINK}.yaml`;
    const policies = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: p, namespace: production }\nspec: { podSelector: {}, policyTypes: [Ingress] }\n';
    const files = { [file]: policies };
    const explain = await runCli(['explain', '--cluster', 'test/cli/fixtures/cluster.yaml', '--policies', file, '--from', 'production/frontend',
      '--to', 'production/redis', '--port', '80'], { files });
    expect(explain.stdout).toContain('p\\x1b[2Jx [click]');
    // eslint-disable-next-line no-control-regex
    expect(explain.stdout).not.toMatch(/\u001b/);
    const lint = await runCli(['lint', '--policies', file], { files });
    // eslint-disable-next-line no-control-regex
    expect(lint.stdout).not.toMatch(/\u001b/);
  });
});
