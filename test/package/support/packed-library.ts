// Builds and packs the library the way a release would, from a copy of the repository (its tracked and new,
// not ignored files, as a clone has them), so the tests see the real tarball without touching the working
// tree's lib/. jsii compiles the copy (lib/ and the .jsii assembly, which jsii-pacmak needs), then `npm pack`
// writes the tarball.
//
// The result is cached in the system temp folder under a hash of every input file, shared by the test
// files of one run (a lock keeps two jest workers from building at once) and by later runs while nothing
// changed; a stale build is removed when a new one is made.
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
const PREFIX = 'cdk8s-zero-trust-package-';
const BIN = path.join(ROOT, 'node_modules', '.bin');

/** A built copy of the repository and its packed tarball. */
export interface PackedLibrary {
  /** The copy of the repository, with lib/ and .jsii built. */
  readonly dir: string;
  /** The `npm pack` tarball. */
  readonly tarball: string;
  /** The files in the tarball (paths inside `package/`), as `npm pack` lists them. */
  readonly files: readonly string[];
}

/** The repository's files as a clone has them: tracked, plus new files that are not ignored. */
export function repositoryFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  return out.split('\0').filter(f => f && fs.existsSync(path.join(ROOT, f))).sort();
}

function inputHash(files: readonly string[]): string {
  const hash = createHash('sha256');
  for (const f of files) hash.update(f).update('\0').update(fs.readFileSync(path.join(ROOT, f))).update('\0');
  // The toolchain that builds the copy is an input too.
  for (const tool of ['jsii', 'typescript']) hash.update(fs.readFileSync(path.join(ROOT, 'node_modules', tool, 'package.json')));
  return hash.digest('hex').slice(0, 16);
}

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: 'pipe', env: { ...process.env, CI: 'true' } });
  } catch (e: any) {
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd} (exit ${e.status}):\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

function build(dir: string, files: readonly string[]): void {
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  // As the compile task does (.projen/tasks.json).
  run(path.join(BIN, 'jsii'), ['--silence-warnings=reserved-word'], dir);
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], dir));
  fs.writeFileSync(path.join(dir, '.packed.json'), JSON.stringify({
    tarball: path.join(dir, packed[0].filename),
    files: packed[0].files.map((f: { path: string }) => f.path).sort(),
  }));
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** The built and packed library for the repository as it is now (built once per change, see above). */
export async function packedLibrary(): Promise<PackedLibrary> {
  const files = repositoryFiles();
  const dir = path.join(os.tmpdir(), `${PREFIX}${inputHash(files)}`);
  const done = path.join(dir, '.packed.json');
  const lock = `${dir}.lock`;
  const deadline = Date.now() + 15 * 60_000;
  while (!fs.existsSync(done)) {
    let mine = false;
    try {
      fs.mkdirSync(lock);
      mine = true;
    } catch (e: any) {
      if (e.code !== 'EEXIST') throw e;
    }
    if (mine) {
      try {
        for (const old of fs.readdirSync(os.tmpdir()).filter(n => n.startsWith(PREFIX) && !n.endsWith('.lock'))) {
          if (!fs.existsSync(path.join(os.tmpdir(), `${old}.lock`))) fs.rmSync(path.join(os.tmpdir(), old), { recursive: true, force: true });
        }
        fs.mkdirSync(dir, { recursive: true });
        build(dir, files);
      } catch (e) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw e;
      } finally {
        fs.rmSync(lock, { recursive: true, force: true });
      }
    } else {
      if (Date.now() > deadline) throw new Error(`gave up waiting for another test worker to build ${dir} (lock ${lock}); remove the lock if no test runs`);
      await sleep(500);
    }
  }
  const { tarball, files: packedFiles } = JSON.parse(fs.readFileSync(done, 'utf8'));
  return { dir, tarball, files: packedFiles };
}
