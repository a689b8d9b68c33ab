import { Command, CommanderError } from 'commander';
import { CliError, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE } from './cli-error';
import { CliIo, processIo } from './cli-io';
import { CommandContext } from './command-context';
import { packageVersion } from './package-version';
import { AnalysisInputError, ManifestError } from '../analysis';
import { auditCommand } from './commands/audit';
import { diffCommand } from './commands/diff';
import { explainCommand } from './commands/explain';
import { importCommand } from './commands/import';
import { lintCommand } from './commands/lint';
import { reachCommand } from './commands/reach';
import { recommendCommand } from './commands/recommend';
import { escapeText } from './render/text-escape';

/**
 * Runs the `cdk8s-zero-trust` CLI on the arguments after the program name and returns the exit
 * code: 0 success, 1 a check failed (lint errors, `diff --fail-on-gain`, `explain --expect`),
 * 2 bad input (unreadable file, invalid manifest, unknown pod, invalid option), 70 an internal error.
 * User errors print one line on stderr; internal errors print a short line, and the stack trace
 * only when `DEBUG` is set.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const context: CommandContext = { io, exitCode: EXIT_OK };
  const program = buildProgram(context);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return context.exitCode;
  } catch (error) {
    return handleError(error, io);
  }
}

/** The program with its commands, writing through `context.io` and never exiting the process. */
export function buildProgram(context: CommandContext): Command {
  const program = new Command('cdk8s-zero-trust')
    .description('Reachability analysis of Kubernetes, Cilium, Calico and Istio policies: exactly what can connect, why a flow is allowed, what a change opens, and footguns.')
    .version(packageVersion(), '--version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.io.stdout(text),
      writeErr: (text) => context.io.stderr(text),
      outputError: (text, write) => write(text),
    })
    .showSuggestionAfterError(true)
    .allowExcessArguments(false);
  program.addHelpText('after', '\nRun `cdk8s-zero-trust <command> --help` for the options of a command; docs/ANALYSIS.md has the semantics.');
  for (const build of [reachCommand, explainCommand, diffCommand, lintCommand, auditCommand, importCommand, recommendCommand]) {
    // Commands added with addCommand do not inherit settings: copy output, exit override and the rest.
    const command = build(context).copyInheritedSettings(program).allowExcessArguments(false);
    program.addCommand(command);
  }
  return program;
}

function handleError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Commander already printed its message, or the help / version it was asked for (exit code 0).
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (error instanceof ManifestError || error instanceof AnalysisInputError || error instanceof CliError) {
    // Messages quote the input (names, values, file names): one line, escaped for the terminal.
    io.stderr(`error: ${escapeText(error.message)}\n`);
    return EXIT_USAGE;
  }
  const description = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  io.stderr(`internal error: ${escapeText(description)}\n`);
  if (io.env.DEBUG) {
    io.stderr(`${error instanceof Error ? error.stack : ''}\n`);
  } else {
    io.stderr('This is a bug in cdk8s-zero-trust; set DEBUG=1 for the stack trace and report it.\n');
  }
  return EXIT_INTERNAL;
}
