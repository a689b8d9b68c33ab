import { Engine } from '../../../src';
import { FEATURE_DESCRIPTIONS, Feature } from '../../../src/dialects/feature';

describe('the kubernetes capability table', () => {
  const table = Engine.kubernetes()._dialect.capabilities;

  test('has a row for every model feature', () => {
    expect(Object.keys(table).sort()).toEqual(Object.keys(FEATURE_DESCRIPTIONS).sort());
  });

  test.each<[Feature, string]>([
    ['allow.http', 'unsupported'],
    ['peer.fqdn', 'unsupported'],
    ['peer.kube-apiserver', 'unsupported'],
    ['stage.audit', 'unsupported'],
    ['peer.service-account', 'approximate'],
    ['subject.service-account', 'approximate'],
    ['peer.cidr', 'exact'],
    ['port.range', 'exact'],
  ])('declares %s as %s', (feature, level) => {
    expect(table[feature].level).toBe(level);
  });

  test('every unsupported row says how to fix it, every approximate row names its opt-in and what it widens', () => {
    for (const [feature, row] of Object.entries(table)) {
      if (row.level === 'unsupported') expect([feature, row.fix]).toEqual([feature, expect.stringMatching(/\w/)]);
      if (row.level === 'approximate') {
        expect(row.optIn?.option).toMatch(/Engine\.kubernetes/);
        expect(row.optIn?.widening).toMatch(/\w/);
        expect(row.optIn?.enabled).toBe(false);
      }
    }
  });

  test('the service-account opt-in enables exactly the approximate rows', () => {
    const opted = Engine.kubernetes({ serviceAccountLabel: 'sa' })._dialect.capabilities;
    expect(opted['peer.service-account'].optIn?.enabled).toBe(true);
    expect(opted['subject.service-account'].optIn?.enabled).toBe(true);
  });
});
