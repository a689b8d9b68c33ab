import { ClusterModel, ClusterPod, labelValue, podId } from '../../analysis';

/** How a recommended workload selects its pods. */
export type WorkloadSelector =
  /** The pods with all of these labels. */
  | { readonly kind: 'labels'; readonly labels: Readonly<Record<string, string>> }
  /** Every pod of the namespace (`Workload.allPods()`). */
  | { readonly kind: 'all-pods' };

/** Pods of one namespace that the recommendation treats as one workload, and how it selects them. */
export interface RecommendedWorkload {
  readonly namespace: string;
  /** Unique in its namespace: the controller's name (a Deployment, a StatefulSet, …) or the pod's. */
  readonly name: string;
  /** What the pods are replicas of, e.g. `Deployment frontend (from ReplicaSet frontend-7d9c8f5b9)`. */
  readonly owner: string;
  /** Its pods in the cluster model, by name. */
  readonly pods: readonly ClusterPod[];
  readonly selector: WorkloadSelector;
  /** Why this selector: which label, and that it selects exactly these pods of the namespace. */
  readonly reason: string;
  /** Set when `mergeUnseparable` merged workloads no selector tells apart: the owners merged. */
  readonly merged?: readonly string[];
}

/** A workload for which no selector selects exactly its pods. */
export interface UnseparableWorkload {
  readonly namespace: string;
  readonly owner: string;
  readonly pods: readonly ClusterPod[];
  /** Why no selector isolates it. */
  readonly reason: string;
}

/** Options of `selectWorkloads`. */
export interface WorkloadSelectionOptions {
  /**
   * Merge workloads that no label selector tells apart into one (the pods their shared labels
   * select, or every pod of the namespace): what one of them is allowed, all of them are.
   * @default false - such a workload is unseparable, and a recommendation that needs it fails
   */
  readonly mergeUnseparable?: boolean;
}

/** The workloads of some namespaces. */
export interface WorkloadSelection {
  readonly workloads: readonly RecommendedWorkload[];
  readonly unseparable: readonly UnseparableWorkload[];
  /** The workload of a pod (`ns/name`), or undefined for a pod of an unseparable one. */
  workloadOf(pod: ClusterPod): RecommendedWorkload | undefined;
  /** The unseparable workload of a pod, when it is one. */
  unseparableOf(pod: ClusterPod): UnseparableWorkload | undefined;
}

/**
 * Labels tried first, in order: the recommended labels of Kubernetes (app.kubernetes.io/name, with
 * instance and component to tell instances apart), then the conventional `app` and `k8s-app`.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */
const PREFERRED_KEYS: readonly (readonly string[])[] = [
  ['app.kubernetes.io/name'],
  ['app.kubernetes.io/name', 'app.kubernetes.io/instance'],
  ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/component'],
  ['app'],
  ['app', 'component'],
  ['k8s-app'],
];

/**
 * Labels the controllers set per revision or per pod: a selector on them would stop matching at the
 * next rollout (or match one replica), so they are never chosen.
 */
const VOLATILE_KEYS: ReadonlySet<string> = new Set([
  'pod-template-hash', 'controller-revision-hash', 'pod-template-generation', 'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index', 'controller-uid', 'batch.kubernetes.io/controller-uid',
]);

interface Group {
  readonly key: string;
  readonly owner: string;
  readonly name: string;
  readonly pods: ClusterPod[];
}

/**
 * Groups the pods of each namespace into workloads — the pods of one controller (its
 * `ownerReferences`; a ReplicaSet's pods as its Deployment's, by the `pod-template-hash` suffix;
 * without owners in the snapshot, by the names Deployments and StatefulSets give their pods), else
 * one pod — and chooses for each the first selector that selects exactly its pods among the pods of
 * the namespace: `app.kubernetes.io/name` (with instance, component), `app`, `k8s-app`, else every
 * label its pods share except those set per revision; `Workload.allPods()` for the only workload of
 * a namespace whose pods share no label. A workload no selector isolates is unseparable, unless
 * `mergeUnseparable` merges it with the workloads its labels also select.
 */
export function selectWorkloads(cluster: ClusterModel, namespaces: Iterable<string>, options: WorkloadSelectionOptions = {}): WorkloadSelection {
  const workloads: RecommendedWorkload[] = [];
  const unseparable: UnseparableWorkload[] = [];
  for (const namespace of [...new Set(namespaces)].sort()) {
    const podsOfNamespace = cluster.podsIn(namespace);
    const groups = groupByOwner(podsOfNamespace);
    const decided = groups.map(group => ({ group, choice: chooseSelector(group.pods, podsOfNamespace) }));
    const bad = decided.filter(d => !('selector' in d.choice));
    if (bad.length > 0 && !options.mergeUnseparable) {
      for (const { group, choice } of bad) {
        unseparable.push({ namespace, owner: group.owner, pods: group.pods, reason: (choice as { problem: string }).problem });
      }
    }
    // Merge: grow each unseparable group to the pods its shared labels select, until a selector isolates it.
    const merged = bad.length > 0 && options.mergeUnseparable ? mergeGroups(bad.map(b => b.group), groups, podsOfNamespace) : [];
    const taken = new Set(merged.flatMap(m => m.groups.map(g => g.key)));
    for (const { group, choice } of decided) {
      if (!('selector' in choice) || taken.has(group.key)) continue;
      workloads.push({ namespace, name: group.name, owner: group.owner, pods: group.pods, selector: choice.selector, reason: choice.reason });
    }
    for (const m of merged) {
      const choice = chooseSelector(m.pods, podsOfNamespace);
      const owners = m.groups.map(g => g.owner);
      const c = 'selector' in choice ? choice : { selector: { kind: 'all-pods' as const }, reason: 'every pod of the namespace' };
      workloads.push({
        namespace,
        name: mergedName(c.selector, m.groups, groups),
        owner: owners.join(' + '),
        pods: m.pods,
        selector: c.selector,
        reason: `merged (--merge-workloads): no selector tells ${owners.join(', ')} apart; ${c.reason}`,
        merged: owners,
      });
    }
  }
  workloads.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  const byPod = new Map<ClusterPod, RecommendedWorkload>();
  for (const w of workloads) for (const p of w.pods) byPod.set(p, w);
  const unseparableByPod = new Map<ClusterPod, UnseparableWorkload>();
  for (const u of unseparable) for (const p of u.pods) unseparableByPod.set(p, u);
  return {
    workloads,
    unseparable,
    workloadOf: pod => byPod.get(pod),
    unseparableOf: pod => unseparableByPod.get(pod),
  };
}

/** The pods matched by labels (every key, equal values). */
function selects(labels: Readonly<Record<string, string>>, pod: ClusterPod): boolean {
  return Object.entries(labels).every(([k, v]) => labelValue(pod.labels, k) === v);
}

/** The labels all pods share, without the per-revision ones. */
function sharedLabels(pods: readonly ClusterPod[]): Record<string, string> {
  const shared: Record<string, string> = {};
  for (const [k, v] of Object.entries(pods[0].labels)) {
    if (!VOLATILE_KEYS.has(k) && pods.every(p => labelValue(p.labels, k) === v)) shared[k] = v;
  }
  return shared;
}

function formatLabels(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

function chooseSelector(pods: readonly ClusterPod[], podsOfNamespace: readonly ClusterPod[]):
{ selector: WorkloadSelector; reason: string } | { problem: string } {
  const shared = sharedLabels(pods);
  const members = new Set(pods);
  const exact = (labels: Record<string, string>) => podsOfNamespace.every(p => selects(labels, p) === members.has(p));
  const namespace = pods[0].namespace;
  const only = `selects exactly its ${plural(pods.length, 'pod')} of namespace ${namespace}`;
  for (const keys of PREFERRED_KEYS) {
    if (!keys.every(k => Object.prototype.hasOwnProperty.call(shared, k))) continue;
    const labels = Object.fromEntries(keys.map(k => [k, shared[k]]));
    if (exact(labels)) {
      const what = keys.length === 1 ? `the ${keys[0]} label` : `the labels ${keys.join(', ')}`;
      return { selector: { kind: 'labels', labels }, reason: `${formatLabels(labels)}: ${what} ${pods.length === 1 ? 'of the pod' : 'its pods share'}; ${only}` };
    }
  }
  if (Object.keys(shared).length > 0 && exact(shared)) {
    return {
      selector: { kind: 'labels', labels: shared },
      reason: `${formatLabels(shared)}: every label ${pods.length === 1 ? 'of the pod' : 'its pods share'} (no app.kubernetes.io/name, app or k8s-app label isolates it); ${only}`,
    };
  }
  if (podsOfNamespace.every(p => members.has(p))) {
    return {
      selector: { kind: 'all-pods' },
      reason: `every pod of namespace ${namespace}: ${Object.keys(shared).length === 0 ? 'its pods share no label' : 'they are'} and it is the namespace's only workload`,
    };
  }
  if (Object.keys(shared).length === 0) return { problem: `its ${plural(pods.length, 'pod')} share no label (besides per-revision ones), and other pods run in ${namespace}` };
  const others = podsOfNamespace.filter(p => !members.has(p) && selects(shared, p));
  return { problem: `the labels its pods share (${formatLabels(shared)}) also select ${others.slice(0, 3).map(podId).join(', ')}${others.length > 3 ? ', …' : ''}` };
}

const RS_HASH = /^(.+)-([a-z0-9]+)$/;

/** A pod's controller, as its owner reference says or (without one) as the names of Deployment and StatefulSet pods show. */
function ownerOf(pod: ClusterPod): { key: string; owner: string; name: string } {
  const hash = labelValue(pod.labels, 'pod-template-hash');
  if (pod.owner) {
    const { kind, name } = pod.owner;
    const m = RS_HASH.exec(name);
    if (kind === 'ReplicaSet' && hash !== undefined && m && m[2] === hash) {
      return { key: `Deployment/${m[1]}`, owner: `Deployment ${m[1]} (from ReplicaSet ${name})`, name: m[1] };
    }
    return { key: `${kind}/${name}`, owner: `${kind} ${name}`, name };
  }
  if (hash !== undefined) {
    const m = new RegExp(`^(.+)-${escapeRegExp(hash)}-[a-z0-9]{5}$`).exec(pod.name);
    if (m) return { key: `Deployment/${m[1]}`, owner: `Deployment ${m[1]} (from the pod names and pod-template-hash; no ownerReferences in the snapshot)`, name: m[1] };
  }
  const stsName = labelValue(pod.labels, 'statefulset.kubernetes.io/pod-name');
  if (stsName === pod.name && labelValue(pod.labels, 'controller-revision-hash') !== undefined) {
    const m = /^(.+)-\d+$/.exec(pod.name);
    if (m) return { key: `StatefulSet/${m[1]}`, owner: `StatefulSet ${m[1]} (from the pod names; no ownerReferences in the snapshot)`, name: m[1] };
  }
  return { key: `Pod/${pod.name}`, owner: `Pod ${pod.name} (no controller in the snapshot)`, name: pod.name };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function groupByOwner(pods: readonly ClusterPod[]): Group[] {
  const groups = new Map<string, Group>();
  for (const pod of pods) {
    const o = ownerOf(pod);
    let g = groups.get(o.key);
    if (!g) groups.set(o.key, g = { key: o.key, owner: o.owner, name: o.name, pods: [] });
    g.pods.push(pod);
  }
  // Names unique in the namespace: a Deployment and a StatefulSet may share one.
  const byName = new Map<string, Group[]>();
  for (const g of groups.values()) byName.set(g.name, [...(byName.get(g.name) ?? []), g]);
  return [...groups.values()].map(g => ((byName.get(g.name)?.length ?? 0) > 1 ? { ...g, name: `${g.name}-${g.key.split('/')[0].toLowerCase()}` } : g));
}

/**
 * Grows unseparable groups to fixed points — the pods their shared labels select (every pod of the
 * namespace when they share none) — and unites those that overlap, with every group they cover.
 */
function mergeGroups(bad: readonly Group[], all: readonly Group[], podsOfNamespace: readonly ClusterPod[]):
{ pods: ClusterPod[]; groups: Group[] }[] {
  const groupOfPod = new Map<ClusterPod, Group>();
  for (const g of all) for (const p of g.pods) groupOfPod.set(p, g);
  let sets: Set<ClusterPod>[] = bad.map(g => new Set(g.pods));
  for (;;) {
    let changed = false;
    sets = sets.map((set) => {
      const shared = sharedLabels([...set]);
      const grown = new Set(Object.keys(shared).length === 0 ? podsOfNamespace : podsOfNamespace.filter(p => selects(shared, p)));
      for (const p of [...grown]) for (const q of groupOfPod.get(p)!.pods) grown.add(q); // whole groups
      for (const p of set) grown.add(p);
      if (grown.size !== set.size) changed = true;
      return grown;
    });
    // Unite overlapping sets.
    const united: Set<ClusterPod>[] = [];
    for (const set of sets) {
      const overlapping = united.filter(u => [...set].some(p => u.has(p)));
      const into = new Set(set);
      for (const u of overlapping) {
        for (const p of u) into.add(p);
        united.splice(united.indexOf(u), 1);
        changed = true;
      }
      united.push(into);
    }
    sets = united;
    if (!changed) break;
  }
  return sets.map((set) => {
    const pods = podsOfNamespace.filter(p => set.has(p));
    const groups = [...new Set(pods.map(p => groupOfPod.get(p)!))];
    return { pods, groups };
  });
}

/** A merged workload's name: the value of its first selector label (`web`), or its first owner's with `-merged`, unique in the namespace. */
function mergedName(selector: WorkloadSelector, merged: readonly Group[], all: readonly Group[]): string {
  const others = new Set(all.filter(g => !merged.includes(g)).map(g => g.name));
  const value = selector.kind === 'labels' ? Object.values(selector.labels)[0] : undefined;
  const base = value !== undefined && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(value) && !others.has(value) ? value : `${merged[0].name}-merged`;
  let name = base;
  for (let i = 2; others.has(name); i++) name = `${base}-${i}`;
  return name;
}
