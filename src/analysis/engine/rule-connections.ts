import { ConnectionSet } from './connection-set';
import { ConnectionSpace, MAX_PORT, MIN_PORT } from './connection-space';
import { namedPortName } from './feature-keys';
import { clusterNamedPort, httpMatches } from './rule-matching';
import { ClusterModel } from '../cluster/cluster-model';
import { PolicyRule, PROTOCOLS } from '../ir/analysis-policy';

/**
 * What a rule's non-peer conditions match, as connection sets: the one place that turns port (and,
 * later, request and mTLS) conditions into sets of atoms. Computed once per rule.
 */
export interface RuleConnections {
  /**
   * Connections the rule matches whatever the peer (numeric ports, ranges, cluster-wide named ports);
   * every connection when the rule has no port condition, none when it cannot match at all.
   */
  readonly base: ConnectionSet;
  /** Named ports (`<protocol>/<name>`) resolved on the destination pod: matched only where they resolve. */
  readonly named: readonly string[];
  /**
   * The connections the rule's HTTP condition matches, on every port: per request class, and for
   * connections without a request as `nonHttpFlows` says (every connection without `http`).
   * `base` is within it; a resolved named port must be intersected with it.
   */
  readonly requests: ConnectionSet;
}

/** Flows analysed as sets carry the request of their atom's class (none off the HTTP ports) and no mTLS. */
export function ruleConnections(space: ConnectionSpace, cluster: ClusterModel, rule: PolicyRule): RuleConnections {
  const requests = rule.http === undefined ? space.full : space.requestsWhere((http) => httpMatches(rule, http === undefined ? {} : { http }));
  const ports = portConnections(space, cluster, rule);
  return { base: ports.base.intersect(requests), named: ports.named, requests };
}

function portConnections(space: ConnectionSpace, cluster: ClusterModel, rule: PolicyRule): { base: ConnectionSet; named: readonly string[] } {
  if (rule.ports === undefined) {
    return { base: space.full, named: [] };
  }
  let base = space.empty;
  const named = new Set<string>();
  for (const match of rule.ports) {
    const protocols = match.protocol === 'ANY' ? PROTOCOLS : [match.protocol];
    for (const protocol of protocols) {
      if (match.port === undefined) {
        base = base.union(space.ports(protocol));
      } else if (typeof match.port === 'number') {
        // Only the ports a flow can use (1-65535) count: Calico writes "0:65535".
        const from = Math.max(MIN_PORT, match.port);
        const to = Math.min(MAX_PORT, match.endPort ?? match.port);
        if (to >= from) {
          base = base.union(space.ports(protocol, from, to));
        }
      } else if (match.namedPortResolution === 'cluster') {
        const number = clusterNamedPort(cluster, match.port, protocol);
        if (number !== undefined) {
          base = base.union(space.ports(protocol, number, number));
        }
      } else {
        named.add(namedPortName(protocol, match.port));
      }
    }
  }
  return { base, named: [...named].sort() };
}

/** The connections of a named port (`<protocol>/<name>`) that resolves to these numbers. */
export function namedConnections(space: ConnectionSpace, name: string, numbers: readonly number[]): ConnectionSet {
  const protocol = name.slice(0, name.indexOf('/')) as (typeof PROTOCOLS)[number];
  return numbers.reduce((set, number) => set.union(space.ports(protocol, number, number)), space.empty);
}
