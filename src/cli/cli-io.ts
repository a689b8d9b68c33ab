import * as fs from 'fs';

/**
 * Everything the CLI touches outside itself: output streams, files and the environment. `main`
 * takes one so tests capture output and exit codes in-process, without spawning a process.
 */
export interface CliIo {
  /** Writes to standard output (text is written as is; commands end their output with a newline). */
  readonly stdout: (text: string) => void;
  /** Writes to standard error. */
  readonly stderr: (text: string) => void;
  /** Reads a UTF-8 file (`-` = standard input); throws like `fs.readFileSync` (ENOENT, EISDIR, …). */
  readonly readFile: (path: string) => string;
  /** Environment variables (`DEBUG` turns on stack traces for internal errors). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The real process: its streams, the file system and `process.env`. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readFile: (path) => fs.readFileSync(path === '-' ? 0 : path, 'utf8'),
    env: process.env,
  };
}
