import * as path from 'path';
import { CliIo, InputFileError, readBoundedFile } from '../../../src/cli/cli-io';
import { main } from '../../../src/cli/main';

/** What one CLI run produced. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The fixtures directory, for paths on the command line. */
export const FIXTURES = path.join(__dirname, '..', 'fixtures');

/** A fixture's path. */
export function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

/**
 * Runs `main` in-process with captured output. Files come from the real file system, except those
 * in `files` (name → content), which shadow it — for inputs that only one test needs.
 */
export async function runCli(
  args: readonly string[],
  options: { files?: Record<string, string>; env?: Record<string, string> } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => { stdout += text; },
    stderr: (text) => { stderr += text; },
    readFile: (file, maxBytes) => {
      if (!options.files || !(file in options.files)) {
        return readBoundedFile(file, maxBytes);
      }
      if (Buffer.byteLength(options.files[file]) > maxBytes) {
        throw new InputFileError(`it is larger than the input limit of ${maxBytes} bytes`);
      }
      return options.files[file];
    },
    env: options.env ?? {},
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** The common inputs: the fixture cluster and the seed-like policies. */
export const CLUSTER = fixture('cluster.yaml');
export const POLICIES = fixture('policies.yaml');
