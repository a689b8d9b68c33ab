/**
 * An invalid flow record: the file, the 1-based line (or record) and the field, the value given,
 * what was expected, and how to fix it. The CLI prints the message as one line, without a stack.
 */
export class FlowInputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}, line ${line}${field ? `: ${field}` : ''}: ${problem}`);
    this.name = 'FlowInputError';
  }
}
