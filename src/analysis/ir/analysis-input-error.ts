/**
 * Invalid input to the analysis that is not a manifest field (those throw `ManifestError`): an unknown
 * pod in a flow, an invalid port, protocol or IP, a contradictory policy set. The message is complete
 * and meant for the user; a CLI prints it without a stack trace.
 */
export class AnalysisInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnalysisInputError';
  }
}
