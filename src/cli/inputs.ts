import { CliError } from './cli-error';
import { CliIo } from './cli-io';
import { AnalysisPolicy, ClusterModel, parseCluster, parsePolicies, PolicySource } from '../analysis';

/** Options for reading policy files. */
export interface PolicyInputOptions {
  readonly ignoreOtherKinds?: boolean;
  readonly defaultNamespace?: string;
  readonly istioTrustDomain?: string;
}

/** Reads files as `{ file, text }` sources; an unreadable file is a `CliError` naming it. */
export function readSources(io: CliIo, files: readonly string[], role: string): PolicySource[] {
  return files.map((file) => ({ file, text: readFile(io, file, role) }));
}

/** Reads and parses a cluster file (Namespaces and Pods). */
export function readCluster(io: CliIo, file: string): ClusterModel {
  return parseCluster(readSources(io, [file], 'cluster file'));
}

/** Reads and parses policy files of every dialect `parsePolicies` supports. */
export function readPolicies(io: CliIo, files: readonly string[], options: PolicyInputOptions, role = 'policy file'): AnalysisPolicy[] {
  return parsePolicies(readSources(io, files, role), {
    ignoreOtherKinds: options.ignoreOtherKinds ?? false,
    ...(options.defaultNamespace === undefined ? {} : { defaultNamespace: options.defaultNamespace }),
    ...(options.istioTrustDomain === undefined ? {} : { istioTrustDomain: options.istioTrustDomain }),
  });
}

function readFile(io: CliIo, file: string, role: string): string {
  try {
    return io.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file'
      : code === 'EISDIR' ? 'it is a directory; pass the YAML files inside it'
        : code === 'EACCES' ? 'permission denied'
          : (error as Error).message;
    throw new CliError(`cannot read ${role} ${file}: ${reason}`);
  }
}
