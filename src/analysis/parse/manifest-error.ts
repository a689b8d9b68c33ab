import { SourceLocation } from '../ir/policy-ref';

/**
 * A manifest that cannot be read: says which file, which YAML document (1-based), which object,
 * which field, and what was expected. `message` is complete and meant to be shown as is.
 */
export class ManifestError extends Error {
  public readonly file: string;
  public readonly document: number;
  /** Full field path inside the document, e.g. `items[2].spec.ingress[0].ports[1].port`; empty for the whole document. */
  public readonly fieldPath: string;
  /** What was wrong, without the location prefix. */
  public readonly problem: string;

  constructor(location: SourceLocation, fieldPath: string, problem: string, objectDescription?: string) {
    const object = objectDescription ? ` (${objectDescription})` : '';
    const field = fieldPath ? ` ${fieldPath}:` : '';
    super(`${location.file}, document ${location.document}${object}:${field} ${problem}`);
    this.name = 'ManifestError';
    this.file = location.file;
    this.document = location.document;
    this.fieldPath = fieldPath;
    this.problem = problem;
  }
}
