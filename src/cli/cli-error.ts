/**
 * A user error the CLI reports as one line on stderr with exit code 2: a file that cannot be read,
 * an option value that makes no sense together with another. The message is complete.
 */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** Exit codes: 0 success, 1 a finding the user asked to fail on (lint errors, gained flows), 2 bad input. */
export const EXIT_OK = 0;
/** A check failed: lint errors (or warnings with `--strict`), `diff --fail-on-gain`, `explain --expect`. */
export const EXIT_FINDINGS = 1;
/** Bad input: unreadable files, invalid manifests, unknown pods, invalid options. */
export const EXIT_USAGE = 2;
/** A bug in the tool itself. */
export const EXIT_INTERNAL = 70;
