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
  /**
   * Reads a UTF-8 input of at most `maxBytes` bytes (`-` = standard input). Throws an
   * `InputFileError` for an input that is too large or not a regular file, and like `fs.readFileSync`
   * otherwise (ENOENT, EISDIR, …).
   */
  readonly readFile: (path: string, maxBytes: number) => string;
  /**
   * Reads an input like `readFile`, handing over its bytes chunk by chunk (flow files, read as a
   * stream). Optional: without it, the CLI reads the input whole with `readFile`.
   */
  readonly readChunks?: (path: string, maxBytes: number, onChunk: (chunk: Buffer) => void) => void;
  /** Environment variables (`DEBUG` turns on stack traces for internal errors). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** An input the CLI refuses to read: `reason` completes "cannot read <role> <file>: …". */
export class InputFileError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InputFileError';
  }
}

/** The longest text one JavaScript string can hold (V8), hence the largest input that can be read. */
export const MAX_TEXT_BYTES = 0x1fffffe8;

/** The real process: its streams, the file system and `process.env`. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readFile: readBoundedFile,
    readChunks: readBoundedChunks,
    env: process.env,
  };
}

/**
 * Reads a regular file, or standard input for `-`, refusing more than `maxBytes` bytes — never
 * reading further than that, so `/dev/zero` or an endless pipe cannot grow the process. FIFOs,
 * devices and sockets given by name are refused: they may never end, and a snapshot belongs in a file.
 */
export function readBoundedFile(path: string, maxBytes: number): string {
  const chunks: Buffer[] = [];
  let total = 0;
  readBoundedChunks(path, maxBytes, (chunk) => {
    chunks.push(Buffer.from(chunk));
    total += chunk.length;
  });
  return Buffer.concat(chunks, total).toString('utf8');
}

/**
 * Reads a regular file, or standard input for `-`, like `readBoundedFile`, handing each chunk of
 * bytes to `onChunk` as it is read (the chunk's memory is reused afterwards): for inputs read as a
 * stream, such as flow files, which are never held whole.
 */
export function readBoundedChunks(path: string, maxBytes: number, onChunk: (chunk: Buffer) => void): void {
  const tooLarge = () => new InputFileError(`it is larger than the input limit of ${formatBytes(maxBytes)}; raise it with --max-input-size <MiB> if the file is complete`);
  let fd: number;
  if (path === '-') {
    fd = 0;
  } else {
    const stat = fs.statSync(path);
    if (stat.isDirectory()) {
      throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${path}'`), { code: 'EISDIR' });
    }
    if (!stat.isFile()) {
      throw new InputFileError('it is not a regular file (a pipe, device or socket); redirect the output into a file first, or pass - to read standard input');
    }
    if (stat.size > maxBytes) throw tooLarge();
    fd = fs.openSync(path, 'r');
  }
  try {
    let total = 0;
    const chunk = Buffer.allocUnsafe(1_048_576);
    for (;;) {
      let read: number;
      try {
        read = fs.readSync(fd, chunk, 0, chunk.length, null);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); // a non-blocking stdin pipe with no data yet
          continue;
        }
        if (code === 'EOF') break;
        throw error;
      }
      if (read === 0) break;
      total += read;
      if (total > maxBytes) throw tooLarge();
      onChunk(chunk.subarray(0, read));
    }
  } finally {
    if (fd !== 0) fs.closeSync(fd);
  }
}

/** `256 MiB`, `1.5 KiB`, `12 bytes`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1_048_576) return `${+(bytes / (1_048_576)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${+(bytes / (1024)).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}
