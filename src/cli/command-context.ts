import { CliIo } from './cli-io';

/** What a command's action gets: the IO to write to, and where to leave its exit code. */
export interface CommandContext {
  readonly io: CliIo;
  /** Set by the action; 0 when it does not set it. */
  exitCode: number;
}
