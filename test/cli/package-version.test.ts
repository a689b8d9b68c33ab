import * as fs from 'fs';
import * as path from 'path';
import { appDependencyVersion, packageVersion } from '../../src/cli/package-version';

describe('the cdk8s-zero-trust version a written app depends on', () => {
  test.each([
    ['1.4.2', '1.4.2'],
    ['2.0.0-rc.1', '2.0.0-rc.1'],
    ['0.0.0', '*'],
    ['unknown', '*'],
  ])('for version %s is %s: exactly the one whose synthesis was proven, or any for a checkout', (version, expected) => {
    expect(appDependencyVersion(version)).toBe(expected);
  });

  test('is read from the package.json of this package', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(packageVersion()).toBe(manifest.version);
  });
});
