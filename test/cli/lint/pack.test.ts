import * as fs from 'fs';
import * as path from 'path';
import { ZERO_TRUST_PACK } from '../../../src/cli/lint/zero-trust-pack';

const RULES_DIR = path.join(__dirname, '..', '..', '..', 'src', 'cli', 'lint', 'rules');

describe('the zero-trust pack', () => {
  test('has one rule per file in src/cli/lint/rules, named after its id, and no other', () => {
    const files = fs.readdirSync(RULES_DIR).filter((file) => file.endsWith('.ts')).map((file) => file.replace(/\.ts$/, '')).sort();
    expect(ZERO_TRUST_PACK.map((rule) => rule.id).sort()).toEqual(files);
  });

  test.each(ZERO_TRUST_PACK.map((rule) => [rule.id, rule] as const))('%s: its check is the function its file exports, with a summary and sources', (id, rule) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = require(path.join(RULES_DIR, id)) as Record<string, unknown>;
    const camel = id.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    expect(exported[camel]).toBe(rule.check);
    expect(['error', 'warning']).toContain(rule.severity);
    expect(rule.summary.length).toBeGreaterThan(10);
    expect(rule.sources.length).toBeGreaterThan(3);
  });

  test('rule ids are unique', () => {
    const ids = ZERO_TRUST_PACK.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
