import { CliError } from './cli-error';
import { CliIo, formatBytes, InputFileError, MAX_TEXT_BYTES } from './cli-io';
import { AnalysisPolicy, ClusterModel, parseCluster, parsePolicies, PolicySource, TERMINATED_PHASES } from '../analysis';
import { describeKindKey } from '../analysis/parse/object-kinds';

/**
 * The default input limit: 256 MiB per file. A 100,000-pod `kubectl get namespaces,pods -A -o yaml`
 * with the usual 2 KB of fields per pod fits with room to spare; `--max-input-size` raises it up to
 * what one JavaScript string can hold.
 */
export const DEFAULT_MAX_INPUT_MIB = 256;

/** Options for reading input files. */
export interface InputOptions {
  /** Per file, in MiB. @default DEFAULT_MAX_INPUT_MIB */
  readonly maxInputSize?: number;
}

/** Options for reading policy files. */
export interface PolicyInputOptions extends InputOptions {
  readonly ignoreOtherKinds?: boolean;
  readonly defaultNamespace?: string;
  readonly istioTrustDomain?: string;
  /** Accept a policy file with no object at all as "no policies" (said on stderr); without it that is an error. */
  readonly allowEmptyPolicies?: boolean;
  /** The cluster the policies are analysed on: a Calico namespaceSelector may match a NetworkSet by its namespace's labels. */
  readonly cluster?: ClusterModel;
}

/** Options for reading a cluster file. */
export interface ClusterInputOptions extends InputOptions {
  /** Accept pods whose namespace has no Namespace object (see `ParseClusterOptions.implicitNamespaces`). */
  readonly implicitNamespaces?: boolean;
  /** Istio revisions besides `default` that `istio.io/rev` may name (`--istio-revision`). */
  readonly istioRevision?: readonly string[];
}

/** Reads files as `{ file, text }` sources; an unreadable file is a `CliError` naming it. */
export function readSources(io: CliIo, files: readonly string[], role: string, options: InputOptions = {}): PolicySource[] {
  return files.map((file) => ({ file, text: readFile(io, file, role, options) }));
}

/**
 * Reads and parses a cluster file (Namespaces and Pods), and says on stderr what it assumed:
 * namespaces without a Namespace object (with `implicitNamespaces`) and terminated pods read without IPs.
 */
export function readCluster(io: CliIo, file: string, options: ClusterInputOptions = {}): ClusterModel {
  const cluster = parseCluster(readSources(io, [file], 'cluster file', options), {
    implicitNamespaces: options.implicitNamespaces ?? false,
    istioRevisions: ['default', ...options.istioRevision ?? []],
  });
  const implicit = cluster.implicitNamespaces;
  if (implicit.length > 0) {
    io.stderr(`note: assumed namespace${implicit.length > 1 ? 's' : ''} ${implicit.join(', ')} (no Namespace object in ${file}) with only the kubernetes.io/metadata.name label (--implicit-namespaces)\n`);
  }
  const terminated = cluster.pods.filter((pod) => pod.phase !== undefined && TERMINATED_PHASES.includes(pod.phase));
  if (terminated.length > 0) {
    const shown = terminated.slice(0, 3).map((pod) => `${pod.namespace}/${pod.name}`).join(', ');
    io.stderr(`note: ${terminated.length} terminated pod${terminated.length > 1 ? 's' : ''} (Succeeded or Failed: ${shown}${terminated.length > 3 ? ', …' : ''}) `
      + 'read without IPs: they have no connectivity, and the last IP kubectl shows for them may belong to another pod now\n');
  }
  const unaddressed = cluster.pods.filter((pod) => pod.ips.length === 0 && !terminated.includes(pod));
  if (unaddressed.length > 0) {
    const shown = unaddressed.slice(0, 3).map((pod) => `${pod.namespace}/${pod.name}`).join(', ');
    io.stderr(`note: ${unaddressed.length} pod${unaddressed.length > 1 ? 's' : ''} without an IP (${shown}${unaddressed.length > 3 ? ', …' : ''}): no address, no connectivity\n`);
  }
  return cluster;
}

/** Reads and parses policy files of every dialect `parsePolicies` supports; says on stderr what `--ignore-other-kinds` skipped. */
export function readPolicies(io: CliIo, files: readonly string[], options: PolicyInputOptions, role = 'policy file'): AnalysisPolicy[] {
  const skippedKinds = new Map<string, number>();
  const objectCounts: number[] = [];
  const sources = readSources(io, files, role, options);
  const policies = parsePolicies(sources, {
    ignoreOtherKinds: options.ignoreOtherKinds ?? false,
    skippedKinds,
    objectCounts,
    ...(options.defaultNamespace === undefined ? {} : { defaultNamespace: options.defaultNamespace }),
    ...(options.istioTrustDomain === undefined ? {} : { istioTrustDomain: options.istioTrustDomain }),
    ...(options.cluster === undefined ? {} : { clusterNamespaces: options.cluster.namespaces }),
  });
  checkEmptySources(io, sources, objectCounts, role, options);
  reportSkippedKinds(io, skippedKinds, role);
  return policies;
}

/**
 * Refuses a policy file with no object at all — an empty file, a comment, `items: []`, or empty
 * stdin after a failed `git show … >` or `kubectl … |` — unless `--allow-empty-policies`, which
 * then says on stderr which files were taken as no policies. Read as nothing, such a file would
 * pass every gate: an empty `--before` hides every gain from `diff --fail-on-gain`.
 */
export function checkEmptySources(io: CliIo, sources: readonly PolicySource[], objectCounts: readonly number[], role: string,
  options: { readonly allowEmptyPolicies?: boolean }): void {
  const empty = sources.filter((_, i) => objectCounts[i] === 0).map((source) => (source.file === '-' ? '- (standard input)' : source.file));
  if (empty.length === 0) return;
  if (!options.allowEmptyPolicies) {
    throw new CliError(`${role} ${empty[0]} contains no object (an empty file, only comments, or an empty list), which would be analysed as no policies at all; `
      + 'check the command that wrote it (a failed git show or kubectl leaves it empty), or pass --allow-empty-policies if an empty policy set is intended');
  }
  io.stderr(`note: ${role} ${empty.join(', ')} ${empty.length > 1 ? 'contain' : 'contains'} no object: analysed as no policies (--allow-empty-policies)\n`);
}

/** `note: policy file: skipped 3 Deployment (apps), 1 Service (core) (--ignore-other-kinds: …)`. */
export function reportSkippedKinds(io: CliIo, skippedKinds: ReadonlyMap<string, number>, role: string): void {
  if (skippedKinds.size === 0) return;
  const counts = [...skippedKinds.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, count]) => `${count} ${describeKindKey(key)}`);
  io.stderr(`note: ${role}: skipped ${counts.join(', ')} (--ignore-other-kinds: kinds that carry no network policy)\n`);
}

/** The per-file limit in bytes for `--max-input-size` (MiB), capped at what one string holds. */
export function maxInputBytes(options: InputOptions): number {
  return Math.min(Math.floor((options.maxInputSize ?? DEFAULT_MAX_INPUT_MIB) * (1_048_576)), MAX_TEXT_BYTES);
}

function readFile(io: CliIo, file: string, role: string, options: InputOptions): string {
  try {
    return io.readFile(file, maxInputBytes(options));
  } catch (error) {
    if (error instanceof InputFileError) {
      throw new CliError(`cannot read ${role} ${file === '-' ? '- (standard input)' : file}: ${error.reason}`);
    }
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file'
      : code === 'EISDIR' ? 'it is a directory; pass the YAML files inside it'
        : code === 'EACCES' ? 'permission denied'
          : code === 'ERR_STRING_TOO_LONG' ? `it is larger than the ${formatBytes(MAX_TEXT_BYTES)} one text can hold; split it into several files`
            : (error as Error).message;
    throw new CliError(`cannot read ${role} ${file}: ${reason}`);
  }
}
