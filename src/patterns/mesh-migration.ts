import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { MeshMigrationPhase } from './mesh-migration-phase';
import { MonitoringAllowance } from './monitoring-allowance';
import { ZeroTrustNamespace } from './zero-trust-namespace';
import { covers } from '../dialects/istio/pod-sets';
import { IstioDialect } from '../dialects/istio/render';
import { PolicyCompiler } from '../engine/compiler';
import { Engine } from '../engine/engine';
import { AllowFromProps } from '../intent/allow-from';
import { AllowToProps } from '../intent/allow-to';
import { EgressToCidrProps } from '../intent/egress-to-cidr';
import { MtlsMode } from '../intent/mtls-mode';
import { PolicyStage } from '../intent/policy-stage';
import { checkInstance, checkInstances, checkPropsObject } from '../intent/private/props';
import { Workload } from '../intent/workload';
import { EVERYTHING, labelSelector, PeerModel, peerToString, PodSetModel, podSetToString } from '../model';
import { InputProblem, throwIfProblems } from '../validation/input-error';
import { checkNamespaceName } from '../validation/validators';

const PROPS = ['namespace', 'engine', 'enrolledNamespaces', 'enrolledWorkloads', 'monitoring', 'nodeLocalDns', 'lastPhase', 'observeMeshPolicies'];

/** The label every object of a migration carries with the migration's id (for pruning and rollback). */
export const MIGRATION_LABEL = 'zero-trust.cdk8s.io/migration';
/** The label every object of a migration carries with the phase whose state it belongs to. */
export const PHASE_LABEL = 'zero-trust.cdk8s.io/phase';

/** Properties of `MeshMigration`. */
export interface MeshMigrationProps {
  /** The namespace that moves into the mesh. */
  readonly namespace: string;
  /** The Istio engine of the target state, e.g. `Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.cilium() })`. */
  readonly engine: Engine;
  /**
   * Namespaces whose every pod is enrolled in the mesh (labelled
   * `istio.io/dataplane-mode=ambient`, or `istio-injection=enabled` and restarted).
   * @default - none: declare enrollment before the strict phase
   */
  readonly enrolledNamespaces?: string[];
  /**
   * Workloads enrolled in the mesh one by one.
   * @default - none
   */
  readonly enrolledWorkloads?: Workload[];
  /**
   * Let a monitoring system scrape metrics ports (see ZeroTrustNamespace).
   * @default - no monitoring allowance
   */
  readonly monitoring?: MonitoringAllowance;
  /**
   * Also allow the NodeLocal DNSCache address.
   * @default false
   */
  readonly nodeLocalDns?: boolean;
  /**
   * The last phase to synthesize. Stop at ENFORCE while workloads are still
   * being enrolled: the strict phase fails synthesis until every workload the
   * migration names is declared enrolled.
   * @default MeshMigrationPhase.STRICT
   */
  readonly lastPhase?: MeshMigrationPhase;
  /**
   * Render the mesh's AuthorizationPolicies as dry-run in the phases before
   * ENFORCE, so that they are observed first. In ambient mode that needs
   * istiod and ztunnel 1.29 or later with istiod's
   * AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY=true, declared on the engine's
   * target (older ones enforce or drop dry-run policies; synthesis fails).
   * Set false on an older mesh: it then has no AuthorizationPolicy at all
   * until the enforce phase.
   * @default true
   */
  readonly observeMeshPolicies?: boolean;
}

const ORDER = [MeshMigrationPhase.PREPARE, MeshMigrationPhase.NETWORK, MeshMigrationPhase.ENFORCE, MeshMigrationPhase.STRICT];

interface PhaseState {
  readonly chart: Chart;
  readonly zeroTrust: ZeroTrustNamespace;
  /** Whether egress intents are part of this state. */
  readonly egress: boolean;
}

/**
 * Moves a namespace into an Istio mesh without an outage (the seed's gradual
 * adoption, and its failure case 2): the same zero-trust intent as a sequence
 * of phases, each synthesized as its own chart so that a pipeline applies one
 * at a time, and each with a rollback chart that returns to the phase before.
 *
 * In the seed's order — network policies first, validated, then the mesh:
 *
 * 1. prepare — every policy observed only: Istio dry-run, and the CNI
 *    policies staged where the CNI can observe (Calico); mTLS PERMISSIVE.
 * 2. network — the CNI policies enforced (default deny, DNS, allowances at
 *    L4, egress, the mesh plumbing) while the mesh stays permissive: its
 *    policies still dry-run (or absent, `observeMeshPolicies: false`).
 * 3. enforce — the mesh policies enforced too, mTLS still PERMISSIVE.
 * 4. strict — mTLS STRICT. Fails synthesis unless every workload the
 *    migration names (protected pods, peers, CIDR egress sources, the
 *    monitoring scraper) is declared enrolled.
 *
 * Chart ids are `<n>-<phase>` and `<n>-<phase>-rollback` below the
 * migration, so the files (`<id>-<n>-<phase>-<hash>.k8s.yaml`) sort in apply
 * order. Every object is labelled with the migration and the phase; apply
 * each chart with pruning on the migration label so that objects of other
 * phases are removed (see docs/MESH-MIGRATION.md).
 */
export class MeshMigration extends Construct {
  /** The namespace that moves into the mesh. */
  public readonly namespace: string;
  /** The phase charts, in apply order. */
  public readonly phaseCharts: Chart[];
  /** The rollback charts, one per phase chart, in the same order. */
  public readonly rollbackCharts: Chart[];
  private readonly states = new Map<MeshMigrationPhase, PhaseState>();
  private readonly rollbackStates: PhaseState[] = [];
  private readonly enrolledNamespaces = new Set<string>();
  private readonly enrolledWorkloads: PodSetModel[] = [];
  /** Every workload the intent names: what the strict phase needs enrolled. */
  private readonly named: { what: string; set?: PodSetModel; peer?: PeerModel }[] = [];
  private readonly lastPhase: MeshMigrationPhase;

  constructor(scope: Construct, id: string, props: MeshMigrationProps) {
    super(scope, id);
    const problems: InputProblem[] = [];
    props = checkPropsObject(props, PROPS, problems, true) as MeshMigrationProps;
    problems.push(...checkNamespaceName('namespace', props.namespace));
    const dialect = (props?.engine as any)?._dialect;
    if (!(dialect instanceof IstioDialect)) {
      problems.push({ what: 'engine', value: (props?.engine as any)?.name ?? props?.engine, expected: 'an Istio engine: Engine.istio({ mode, cni })', fix: 'a mesh migration moves a namespace into Istio; pass Engine.istio({ mode: IstioMode.AMBIENT, cni: Engine.kubernetes() }) or similar' });
    }
    const last = props?.lastPhase ?? MeshMigrationPhase.STRICT;
    if (!ORDER.includes(last)) problems.push({ what: 'lastPhase', value: last, expected: 'a MeshMigrationPhase', fix: 'use the MeshMigrationPhase enum' });
    if (props.enrolledNamespaces !== undefined && !Array.isArray(props.enrolledNamespaces)) {
      problems.push({ what: 'enrolledNamespaces', value: props.enrolledNamespaces, expected: 'a list of namespace names', fix: 'pass e.g. ["production"]' });
    }
    for (const n of Array.isArray(props.enrolledNamespaces) ? props.enrolledNamespaces : []) problems.push(...checkNamespaceName('namespace in enrolledNamespaces', n));
    if (props.enrolledWorkloads !== undefined) {
      checkInstances('enrolledWorkloads', props.enrolledWorkloads, Workload, 'Workload', 'Workload.select({ app: "backend" })', problems).forEach(w => problems.push(...w._problems));
    }
    for (const flag of ['nodeLocalDns', 'observeMeshPolicies'] as const) {
      if (props[flag] !== undefined && typeof props[flag] !== 'boolean') {
        problems.push({ what: flag, value: props[flag], expected: 'true or false', fix: `write ${flag}: true or false, or leave it out` });
      }
    }
    throwIfProblems(this.node.path, problems);
    this.namespace = props.namespace;
    this.lastPhase = last;
    (props.enrolledNamespaces ?? []).forEach(n => this.enrolledNamespaces.add(n));
    (props.enrolledWorkloads ?? []).forEach(w => this.enrolledWorkloads.push(w._toPodSet(this.namespace)));

    const canStage = (dialect as IstioDialect).cniCanStage;
    const observeMesh = props.observeMeshPolicies !== false;
    const phases = ORDER.slice(0, ORDER.indexOf(last) + 1);
    // Before the enforce phase the mesh is permissive: its policies observed (dry-run) or absent.
    const permissiveMesh = props.engine._withMeshPolicies(observeMesh ? 'observe' : 'none')!;
    const engineOf = (phase: MeshMigrationPhase): Engine => {
      if (phase === MeshMigrationPhase.PREPARE) return observeMesh ? props.engine : props.engine._withMeshPolicies('none')!;
      return phase === MeshMigrationPhase.NETWORK ? permissiveMesh : props.engine;
    };
    const stateOf = (phase: MeshMigrationPhase, chart: Chart): PhaseState => {
      // A CNI that cannot observe egress gets egress isolation only when it is enforced.
      const egress = phase !== MeshMigrationPhase.PREPARE || canStage;
      const zeroTrust = new ZeroTrustNamespace(chart, id, {
        namespace: this.namespace,
        engine: engineOf(phase),
        mtlsMode: phase === MeshMigrationPhase.STRICT ? MtlsMode.STRICT : MtlsMode.PERMISSIVE,
        stage: phase === MeshMigrationPhase.PREPARE ? PolicyStage.AUDIT : PolicyStage.ENFORCE,
        denyEgress: egress,
        monitoring: props.monitoring,
        nodeLocalDns: props.nodeLocalDns,
      });
      // Every phase's copy of an intent names the intent as the user declared it (`<migration>/<id>`).
      PolicyCompiler.declaredOn(zeroTrust, this);
      return { chart, zeroTrust, egress };
    };
    this.phaseCharts = [];
    this.rollbackCharts = [];
    phases.forEach((phase, i) => {
      const chart = this.chart(`${i + 1}-${phase}`, phase);
      this.states.set(phase, stateOf(phase, chart));
      this.phaseCharts.push(chart);
      // The rollback of a phase is the state of the phase before it; before `prepare` the migration had no objects.
      const rollback = this.chart(`${i + 1}-${phase}-rollback`, i === 0 ? 'none' : phases[i - 1]);
      if (i > 0) this.rollbackStates.push(stateOf(phases[i - 1], rollback));
      this.rollbackCharts.push(rollback);
    });
    if (props.monitoring) {
      const m = props.monitoring;
      if (m.pods) this.named.push({ what: `${podSetToString(m.pods._toPodSet(this.namespace))} (scraped by monitoring)`, set: m.pods._toPodSet(this.namespace) });
      // A scraper in namespaces chosen by labels cannot be declared enrolled: the strict phase then says so.
      this.named.push(m.namespace !== undefined
        ? { what: `the monitoring scraper in namespace ${m.namespace}`, set: { namespace: m.namespace, pods: m.podLabels ? labelSelector(m.podLabels) : EVERYTHING, ...(m.serviceAccount ? { serviceAccount: m.serviceAccount } : {}) } }
        : { what: `the monitoring scraper in the namespaces labelled ${JSON.stringify(m.namespaceLabels)}` });
    }
    if (last === MeshMigrationPhase.STRICT) this.node.addValidation({ validate: () => this.checkEnrollment() });
  }


  /** The chart of a phase. Throws for a phase after `lastPhase`. */
  public chartOf(phase: MeshMigrationPhase): Chart {
    const state = this.states.get(phase);
    if (!state) throw new Error(`[${this.node.path}] phase ${phase} is not synthesized (lastPhase is ${this.lastPhase}). Fix: raise lastPhase.`);
    return state.chart;
  }

  /**
   * Allows connections into a workload of the namespace, in every phase
   * (observed in prepare; at L4 by the CNI from network on, by the mesh from
   * enforce on). The migration decides the stage; do not pass one.
   */
  public allowFrom(id: string, props: AllowFromProps): void {
    this.checkNoStage(id, props);
    for (const s of this.allStates()) s.zeroTrust.allowFrom(id, props);
    const path = `${this.node.path}/${id}`;
    this.named.push({ what: `${podSetToString(props.to._toPodSet(this.namespace))} (protected by ${path})`, set: props.to._toPodSet(this.namespace) });
    for (const p of props.peers) {
      const peer = p._resolve(this.namespace);
      this.named.push({ what: `${peerToString(peer)} (peer in ${path})`, peer });
    }
  }

  /**
   * Allows a workload of the namespace to connect to a CIDR block: observed
   * in prepare where the CNI can observe egress, enforced from network on.
   */
  public egressToCidr(id: string, props: EgressToCidrProps): void {
    this.checkNoStage(id, props);
    for (const s of this.allStates()) if (s.egress) s.zeroTrust.egressToCidr(id, props);
    this.named.push({ what: `${podSetToString(props.workload._toPodSet(this.namespace))} (egress of ${this.node.path}/${id})`, set: props.workload._toPodSet(this.namespace) });
  }

  /**
   * Allows a workload of the namespace to connect to peers (an `AllowTo`),
   * in the phases that deny egress: observed in prepare where the CNI can
   * observe egress, enforced by the CNI from network on.
   */
  public allowTo(id: string, props: AllowToProps): void {
    this.checkNoStage(id, props);
    for (const s of this.allStates()) if (s.egress) s.zeroTrust.allowTo(id, props);
    const path = `${this.node.path}/${id}`;
    this.named.push({ what: `${podSetToString(props.workload._toPodSet(this.namespace))} (egress of ${path})`, set: props.workload._toPodSet(this.namespace) });
    for (const p of props.peers) {
      const peer = p._resolve(this.namespace);
      this.named.push({ what: `${peerToString(peer)} (peer in ${path})`, peer });
    }
  }

  /** Declares a workload enrolled in the mesh (sidecar injected, or ambient). */
  public enrollWorkload(workload: Workload): void {
    const problems: InputProblem[] = [];
    const w = checkInstance('workload of enrollWorkload()', workload, Workload, 'Workload', 'Workload.select({ app: "backend" })', problems);
    throwIfProblems(this.node.path, w ? w._problems : problems);
    this.enrolledWorkloads.push(workload._toPodSet(this.namespace));
  }

  /** Declares every pod of a namespace enrolled in the mesh. */
  public enrollNamespace(namespace: string): void {
    throwIfProblems(this.node.path, checkNamespaceName('enrolled namespace', namespace));
    this.enrolledNamespaces.add(namespace);
  }

  private allStates(): PhaseState[] {
    return [...this.states.values(), ...this.rollbackStates];
  }

  private chart(id: string, phase: string): Chart {
    const chart = new Chart(this, id, { namespace: this.namespace, labels: { [MIGRATION_LABEL]: this.node.id, [PHASE_LABEL]: phase } });
    PolicyCompiler.compileSeparately(chart);
    return chart;
  }

  private checkNoStage(id: string, props: unknown): void {
    const stage = (props as { stage?: PolicyStage } | undefined)?.stage;
    if (stage !== undefined) {
      throwIfProblems(`${this.node.path}/${id}`, [{ what: 'stage', value: stage, expected: 'no stage: the migration observes policies in prepare and enforces them from network (CNI) and enforce (mesh) on', fix: 'drop `stage`' }]);
    }
  }

  /** The strict phase's guardrail: every named workload must be declared enrolled. */
  private checkEnrollment(): string[] {
    const missing = this.named.filter(n => !this.enrolled(n));
    if (!missing.length) return [];
    return [`the strict phase (${this.chartOf(MeshMigrationPhase.STRICT).node.id}) requires STRICT mutual TLS, which rejects every client outside the mesh, but these workloads the migration names are not declared enrolled in the mesh: ${missing.map(m => m.what).join('; ')}. `
      + 'Fix: enroll them (label the namespace istio.io/dataplane-mode=ambient, or istio-injection=enabled and restart the pods) and declare it with enrolledNamespaces / enrollNamespace() or enrolledWorkloads / enrollWorkload(); until then synthesize up to lastPhase: MeshMigrationPhase.ENFORCE.'];
  }

  private enrolled(n: { set?: PodSetModel; peer?: PeerModel }): boolean {
    let set = n.set;
    if (n.peer) {
      const p = n.peer;
      if (p.kind !== 'pods' || p.namespaces.kind !== 'name') return false; // addresses outside the mesh, or namespaces not named
      set = { namespace: p.namespaces.name, pods: p.pods, ...(p.serviceAccount ? { serviceAccount: p.serviceAccount } : {}) };
    }
    if (!set) return false;
    return this.enrolledNamespaces.has(set.namespace) || this.enrolledWorkloads.some(w => covers(w, set!));
  }
}

