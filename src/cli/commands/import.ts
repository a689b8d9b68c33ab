import * as fs from 'fs';
import * as path from 'path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { AnalysisPolicy, ReachabilityAnalyzer } from '../../analysis';
import { synthesizedPolicies } from '../../analysis/intent/synthesized-policies';
import { buildIntents } from '../../importer/build-intents';
import { ImportPlan, PLAN_ENGINE_KINDS, PlanEngineKind, PlanTarget } from '../../importer/import-plan';
import { defaultEngineFor, formatCannotExpress, planImport, PlanImportResult } from '../../importer/plan-import';
import { hasMeshPolicies, IstioImportMode, meshModeOf, planIstioImport } from '../../importer/plan-istio';
import { renderApp } from '../../importer/render-app';
import { PolicyInputError } from '../../validation/input-error';
import { parseCidr } from '../../validation/validators';
import { CliError, EXIT_FINDINGS } from '../cli-error';
import { CommandContext } from '../command-context';
import { readCluster, readPolicies } from '../inputs';
import { choiceOption, EvaluatorFlags, evaluatorOptions, policyReadingOptions, toEvaluatorOptions } from '../options';
import { appDependencyVersion, packageVersion } from '../package-version';
import { connectionFocus } from '../port-selection';
import { diffReachability } from '../reachability-diff';
import { renderDiffText } from '../render/diff-text';
import { escapeText } from '../render/text-escape';

interface ImportFlags extends EvaluatorFlags {
  readonly cluster: string;
  readonly policies: string[];
  readonly out: string;
  readonly engine?: ImportEngine;
  readonly cni?: PlanEngineKind;
  readonly istioPathNormalization?: NonNullable<PlanTarget['istioPathNormalization']>;
  readonly podCidr?: string[];
  readonly serviceCidr?: string[];
  readonly implementation?: string;
  readonly ciliumHttpNormalizePath?: boolean;
  readonly keepMeshPolicies?: boolean;
  readonly library: string;
  readonly ignoreOtherKinds?: boolean;
  readonly implicitNamespaces?: boolean;
  readonly maxInputSize?: number;
  readonly defaultNamespace: string;
  readonly allowEmptyPolicies?: boolean;
}

/** `--engine`: a CNI engine, or Istio in one of its modes (layered on `--cni`). */
type ImportEngine = PlanEngineKind | 'istio-sidecar' | 'istio-ambient';

const ENGINES: readonly ImportEngine[] = [...PLAN_ENGINE_KINDS, 'istio-sidecar', 'istio-ambient'];

const PATH_NORMALIZATIONS: readonly NonNullable<PlanTarget['istioPathNormalization']>[] = ['NONE', 'BASE', 'MERGE_SLASHES', 'DECODE_AND_MERGE_SLASHES'];

/** The files an import writes; an --out folder that already holds one of them is refused. */
const WRITTEN = ['main.ts', 'package.json', 'tsconfig.json', 'cdk8s.yaml'];

/** lint's `--implementation` names (CNP_PROFILES keys) → the factory of ClusterNetworkPolicyImplementation. */
const IMPLEMENTATIONS: Record<string, string> = {
  'calico': 'calico', 'cilium': 'cilium', 'antrea': 'antrea', 'ovn-kubernetes': 'ovnKubernetes', 'kube-network-policies': 'kubeNetworkPolicies',
};

const HELP_AFTER = `
Reads existing policies (every dialect reach reads: NetworkPolicy, ClusterNetworkPolicy, Cilium,
Calico, Istio AuthorizationPolicy and PeerAuthentication) and writes a cdk8s TypeScript app of intents that means exactly the same traffic: one
intent per allowance (DefaultDeny, AllowDns, AllowFrom, AllowTo, EgressToCidr, and the cluster-wide
ClusterDefaultDeny, ClusterDeny, ClusterAlwaysAllow, ClusterDelegateToNamespaces; with Istio,
AllowFrom per ALLOW rule and MutualTls per PeerAuthentication), named after the policies, each
workload declared once.

Before writing anything it proves the app: it builds the intents, synthesizes them for --engine,
reads the objects back and compares what they allow with what the input allows on the cluster,
set-exactly (every pod, every class of outside addresses, every port of TCP, UDP and SCTP), and
prints the proof. Exit 0: proven and written. Exit 1, nothing written: a part of the input no intent
says exactly (each is named, with the field and why; nothing is approximated), the engine refuses an
intent, or the proof finds a difference (listed as diff lists it). Exit 2: bad input.

--engine switched from the input's dialect is a CNI migration with proof: the app is synthesized for
the other engine and compared with the input policies as they are.

Istio: with AuthorizationPolicies or PeerAuthentications in the input, the app is written for
Engine.istio() (--engine istio-sidecar or istio-ambient; default: the data plane of the cluster's
meshed pods) layered on --cni (default: the input's CNI dialect), and proven against both layers
of the input together, the mesh plumbing the engine renders (istiod, HBONE, probes) included.
--keep-mesh-policies imports the CNI layer alone instead.

Examples:
  $ cdk8s-zero-trust import --cluster cluster.yaml --policies deploy/*.yaml --out imported
  $ cdk8s-zero-trust import --cluster cluster.yaml --policies netpols.yaml --engine cilium \\
      --pod-cidr 10.244.0.0/16 --service-cidr 10.96.0.0/12 --out migrated
  $ cdk8s-zero-trust import --cluster cluster.yaml --policies mesh.yaml --engine istio-sidecar --cni kubernetes \\
      --istio-path-normalization DECODE_AND_MERGE_SLASHES --out imported`;

/** `import`: existing policies → a proven cdk8s app of intents. */
export function importCommand(context: CommandContext): Command {
  const command = new Command('import')
    .description('write a cdk8s app of intents that means exactly what existing policies mean, proven by the analyzer before it is written')
    .requiredOption('--cluster <file>', 'Namespaces and Pods as YAML (multi-document or kind: List)')
    .requiredOption('--policies <files...>', 'the policy manifests to import')
    .requiredOption('--out <dir>', 'folder to write main.ts, package.json, tsconfig.json and cdk8s.yaml into (created; must not hold them yet)');
  const extra = [
    choiceOption('--engine <engine>', 'engine of the generated app (default: the input\'s dialect: Istio policies → istio-sidecar or istio-ambient, as the cluster\'s '
      + 'meshed pods run; Calico objects → calico, Cilium → cilium, else kubernetes)', ENGINES),
    choiceOption('--cni <engine>', 'with --engine istio-*: the CNI engine Istio is layered on (default: the input\'s CNI dialect, as for --engine)', PLAN_ENGINE_KINDS),
    choiceOption('--istio-path-normalization <mode>', 'with Istio HTTP path rules: the mesh\'s meshConfig.pathNormalization.normalization (the engine\'s '
      + 'TargetProfile; Istio\'s default is BASE, and only DECODE_AND_MERGE_SLASHES compares paths as HttpRule does)', PATH_NORMALIZATIONS),
    new Option('--pod-cidr <cidr...>', 'the cluster\'s pod CIDRs (needed when the policies name CIDR blocks: the engine\'s TargetProfile)').argParser(collectCidr),
    new Option('--service-cidr <cidr...>', 'the cluster\'s Service CIDRs (needed with --pod-cidr)').argParser(collectCidr),
    choiceOption('--implementation <name>', 'kubernetes engine with cluster-wide intents: the ClusterNetworkPolicy implementation of the cluster '
      + '(required then; what it does not enforce fails the import)', Object.keys(IMPLEMENTATIONS)),
    new Option('--cilium-http-normalize-path', 'declare that Cilium\'s agent normalizes HTTP paths (http-normalize-path, on by default): '
      + 'needed to import HTTP rules for the cilium engine'),
    new Option('--keep-mesh-policies', 'import only the CNI\'s policies and keep the Istio ones as they are: the proof compares the input\'s CNI '
      + 'policies with the app, layer for layer; the mesh policies must stay applied'),
    new Option('--library <module>', 'the module main.ts imports the intents from').default('cdk8s-zero-trust'),
    ...policyReadingOptions(),
    ...evaluatorOptions(),
  ];
  extra.forEach((option) => command.addOption(option));
  return command
    .addHelpText('after', HELP_AFTER)
    .action((flags: ImportFlags) => {
      const io = context.io;
      const cluster = readCluster(io, flags.cluster, flags);
      const input = readPolicies(io, flags.policies, { ...flags, cluster }, 'policy file (--policies)');
      const out = path.resolve(flags.out);
      checkOut(flags.out, out);
      if (flags.library.trim() === '') {
        throw new CliError('--library is empty; give the module main.ts imports the intents from (default cdk8s-zero-trust), or leave the option out');
      }
      const network = input.filter((policy) => policy.layer === 'network');
      const mesh = meshEngine(flags, input, cluster);
      const engine: PlanEngineKind = mesh ? flags.cni ?? defaultEngineFor(network)
        : (flags.engine as PlanEngineKind | undefined) ?? defaultEngineFor(input);
      if (!mesh && flags.cni) throw new CliError(`--cni names the CNI layer of an Istio engine; with --engine ${engine}, leave it out (or use --engine istio-sidecar or istio-ambient)`);
      const common = {
        engine,
        ...(flags.podCidr ? { podCidrs: flags.podCidr } : {}),
        ...(flags.serviceCidr ? { serviceCidrs: flags.serviceCidr } : {}),
        ...(flags.implementation ? { clusterNetworkPolicyImplementation: IMPLEMENTATIONS[flags.implementation] } : {}),
        ...(flags.ciliumHttpNormalizePath ? { ciliumHttpNormalizePath: true } : {}),
      };
      const result: PlanImportResult = mesh
        ? planIstioImport(input, cluster, {
          ...common, mode: mesh, cni: engine, ...(flags.istioPathNormalization ? { istioPathNormalization: flags.istioPathNormalization } : {}),
        })
        : planImport(input, cluster, { ...common, ...(flags.keepMeshPolicies ? { keepMeshPolicies: true } : {}) });
      if (!result.plan) {
        const parts = result.cannotExpress;
        io.stderr(`cannot import: ${parts.length} part${parts.length === 1 ? '' : 's'} of the input ${parts.length === 1 ? 'is' : 'are'} not what any intent says exactly `
          + '(nothing approximated, nothing written):\n');
        parts.forEach((part) => io.stderr(`  - ${escapeText(formatCannotExpress(part))}\n`));
        context.exitCode = EXIT_FINDINGS;
        return;
      }
      const plan = result.plan;
      const cidrs = [...new Set(plan.intents.flatMap(cidrsOf))];
      if (cidrs.length > 0 && (!flags.podCidr || !flags.serviceCidr)) {
        throw new CliError(`the policies name CIDR blocks (${cidrs.slice(0, 3).join(', ')}${cidrs.length > 3 ? ', …' : ''}), and an engine checks them against the cluster's `
          + 'pod and Service CIDRs: pass --pod-cidr and --service-cidr (kubectl cluster-info dump | grep -m1 -E \'cluster-cidr|service-cluster-ip-range\')');
      }
      if (mesh && !flags.istioPathNormalization && plan.intents.some(i => i.kind === 'AllowFrom' && i.http?.some(h => h.path))) {
        throw new CliError('the policies have HTTP path rules, and the Istio engine writes them only for a mesh whose path normalization it knows: declare '
          + 'meshConfig.pathNormalization.normalization with --istio-path-normalization (DECODE_AND_MERGE_SLASHES is the one HttpRule paths mean)');
      }
      if (!mesh && engine === 'cilium' && !flags.ciliumHttpNormalizePath && plan.intents.some(i => i.kind === 'AllowFrom' && i.http)) {
        throw new CliError('the policies have HTTP rules, and the cilium engine writes their paths only for an agent that normalizes them: '
          + 'declare http-normalize-path (on by default in Cilium) with --cilium-http-normalize-path');
      }
      if (plan.engine.clusterNetworkPolicy && !flags.implementation) {
        throw new CliError('the policies hold cluster-wide rules, which the kubernetes engine writes as ClusterNetworkPolicy: name the implementation that enforces them '
          + `in the cluster with --implementation (${Object.keys(IMPLEMENTATIONS).join(', ')}), or choose --engine calico or cilium`);
      }
      const factory = mesh ? `Engine.istio({ mode: ${mesh}, cni: Engine.${engine}() })` : `Engine.${engine}()`;
      const generated = synthesize(plan);
      if ('error' in generated) {
        io.stderr(`cannot import: ${factory} refuses the intents (nothing written): ${escapeText(oneLine(generated.error))}\n`);
        context.exitCode = EXIT_FINDINGS;
        return;
      }
      const options = toEvaluatorOptions(flags);
      // --keep-mesh-policies: the mesh policies stay as they are, so the proof compares the CNI layer alone (the input's network
      // policies with the app). Comparing both layers would let a mesh DENY hide a CNI allowance the app adds; and as a flow
      // needs every layer's allow, equal CNI layers under the same mesh policies are equal end to end.
      const kept = flags.keepMeshPolicies ? input.filter((policy) => policy.layer !== 'network') : [];
      const before = new ReachabilityAnalyzer(cluster, flags.keepMeshPolicies ? input.filter((policy) => policy.layer === 'network') : input, options);
      const after = new ReachabilityAnalyzer(cluster, generated.policies, options);
      const diff = diffReachability(before, after, connectionFocus({}));
      const universe = diff.before.universe;
      const classes = universe.sets.size;
      const summary = `${count(plan.intents.length, 'intent')} (${kindCounts(plan)}) for ${factory} from ${count(input.length, 'policy', 'policies')}, `
        + `${count(plan.workloads.length, 'workload')}`;
      const compared = `compared ${count(classes, 'endpoint class', 'endpoint classes')} (${count(universe.groupCount, 'pod group')}, `
        + `${count(classes - universe.groupCount, 'outside address class', 'outside address classes')}), ${count(classes * classes, 'ordered pair')}, on every connection `
        + `(${count(universe.space.atoms.length, 'connection atom')}) between the input${flags.keepMeshPolicies ? '\'s network policies' : ''} and the `
        + `${count(generated.policies.length, 'policy', 'policies')} synthesized from the app`
        + `${flags.keepMeshPolicies ? ` (the ${count(kept.length, 'mesh policy', 'mesh policies')} kept by --keep-mesh-policies are left out of both sides)` : ''}`;
      if (diff.gainedPairs > 0 || diff.lostPairs > 0) {
        io.stdout(`import: ${summary}\nproof: ${compared}: DIFFERENT (nothing written)\n`);
        io.stdout(renderDiffText(diff));
        io.stderr(`cannot import: the app the input maps to allows ${diff.gainedPairs} pair${diff.gainedPairs === 1 ? '' : 's'} more and ${diff.lostPairs} fewer than the input `
          + '("after" is the app); nothing written\n');
        context.exitCode = EXIT_FINDINGS;
        return;
      }
      const files = renderApp(plan, {
        library: flags.library, inputs: flags.policies.map(f => path.basename(f)), libraryVersion: appDependencyVersion(packageVersion()),
      });
      const written: string[] = [];
      try {
        fs.mkdirSync(out, { recursive: true });
        for (const file of files) {
          const target = path.join(out, file.path);
          fs.writeFileSync(target, file.text, { flag: 'wx' });
          written.push(target);
        }
      } catch (error) {
        // All of the app or none of it: a main.ts without its package.json is not what was proven, and it would make the next run refuse --out.
        written.forEach((file) => fs.rmSync(file, { force: true }));
        const code = (error as NodeJS.ErrnoException).code;
        throw new CliError(`cannot write the app into --out ${flags.out}: ${code === 'EACCES' ? 'permission denied' : code === 'EEXIST' ? 'a file appeared there meanwhile' : (error as Error).message}`);
      }
      io.stdout(`import: ${summary}\nproof: ${compared}: no difference\n`);
      io.stdout(`wrote ${files.map(f => path.join(flags.out, f.path)).join(', ')}\n`);
    });
}

/**
 * The Istio data plane the app is written for, or undefined for a CNI engine: `--engine istio-*`, else
 * (by default) the mode of the cluster's meshed pods when the input holds Istio policies and
 * `--keep-mesh-policies` does not keep them.
 */
function meshEngine(flags: ImportFlags, input: readonly AnalysisPolicy[], cluster: Parameters<typeof meshModeOf>[0]): IstioImportMode | undefined {
  const given = flags.engine === 'istio-sidecar' ? 'sidecar' : flags.engine === 'istio-ambient' ? 'ambient' : undefined;
  if (given && flags.keepMeshPolicies) {
    throw new CliError(`--keep-mesh-policies imports the CNI's policies alone, for a CNI engine; --engine ${flags.engine} imports the mesh policies too: choose one`);
  }
  if (given) return given;
  if (flags.engine !== undefined || flags.keepMeshPolicies || !hasMeshPolicies(input)) return undefined;
  const mode = meshModeOf(cluster);
  if (typeof mode !== 'string') {
    throw new CliError(`the policies hold Istio objects, and the app's Engine.istio() needs the data plane: ${mode.problem}; `
      + 'give it with --engine istio-sidecar or --engine istio-ambient (or import the CNI\'s policies alone with --engine <cni> --keep-mesh-policies)');
  }
  return mode;
}

/** Synthesizes the plan's app and reads its objects back, or the synthesis error the engine gives. */
export function synthesize(plan: ImportPlan): { policies: AnalysisPolicy[] } | { error: string } {
  let app;
  try {
    app = buildIntents(plan);
    return { policies: synthesizedPolicies(app) };
  } catch (error) {
    // A synthesis error (capability, guardrail, target check: cdk8s validation) or a construct's input error (a path the
    // engine's HTTP rules cannot hold) is the answer about these intents, not a bug.
    if (error instanceof PolicyInputError || (error instanceof Error && /^Validation failed with the following errors/.test(error.message))) {
      return { error: error.message };
    }
    throw error;
  }
}

function checkOut(given: string, out: string): void {
  if (given.trim() === '') {
    // An unset shell variable (`--out "$DIR"`) would otherwise write the app into the working directory.
    throw new CliError('--out is empty; give the folder to write the app into (it is created when missing)');
  }
  if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) {
    throw new CliError(`--out ${given} is a file; give a folder (it is created when missing)`);
  }
  const present = WRITTEN.filter(f => fs.existsSync(path.join(out, f)));
  if (present.length > 0) {
    throw new CliError(`--out ${given} already holds ${present.join(', ')}; import writes a new app and never overwrites one: choose an empty folder or remove them`);
  }
}

function cidrsOf(intent: ImportPlan['intents'][number]): string[] {
  if (intent.kind === 'EgressToCidr') return [intent.cidr];
  const peers = 'peers' in intent ? intent.peers : [];
  return peers.flatMap(p => (p.kind === 'cidr' ? [p.cidr] : []));
}

function kindCounts(plan: ImportPlan): string {
  const counts = new Map<string, number>();
  plan.intents.forEach(i => counts.set(i.kind, (counts.get(i.kind) ?? 0) + 1));
  return [...counts].map(([kind, n]) => `${n} ${kind}`).join(', ');
}

/** `1 intent`, `3 intents`. */
function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}

function collectCidr(value: string, previous: string[] | undefined): string[] {
  const problems: { what: string; value: unknown; expected: string; fix: string }[] = [];
  const parsed = parseCidr('the CIDR', value, problems);
  if (!parsed || problems.length > 0) {
    throw new InvalidArgumentError(`expected a CIDR block such as 10.244.0.0/16 (${problems[0]?.expected ?? 'a network address and prefix'})`);
  }
  return [...previous ?? [], parsed.canonical];
}
