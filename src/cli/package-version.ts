import * as fs from 'fs';
import * as path from 'path';

/** The version in the package.json next to lib/ (or src/) — both are two levels below it. */
export function packageVersion(): string {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: string };
    return manifest.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * The cdk8s-zero-trust version an app written by this CLI depends on: exactly this one, whose
 * synthesis the command proved; `*` only for a checkout (`0.0.0`) or an unknown version.
 */
export function appDependencyVersion(version: string): string {
  return /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version) && version !== '0.0.0' ? version : '*';
}
