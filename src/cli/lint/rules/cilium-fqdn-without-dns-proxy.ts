import { ciliumNamespace, ciliumRules, ciliumScope } from '../cilium-policy';
import { ScopeCoverage } from '../egress-dns';
import { KIND, LintObject } from '../lint-object';
import { LintContext, LintViolation } from '../lint-rule';
import { asObject, at, isEmptyList, objectsOf } from '../manifest-fields';
import { perRun } from '../per-run';

/**
 * `toFQDNs` only ever allows IPs the DNS proxy saw in answers to the selected pods; without a DNS
 * L7 rule (`toPorts[].rules.dns`) intercepting their lookups, it allows nothing (CIL-L7;
 * cilium/cilium#11767). Compliant when a Cilium policy in the same namespace (or a clusterwide one)
 * has a DNS rule for every pod or for the same endpoint selector.
 */
export function ciliumFqdnWithoutDnsProxy(object: LintObject, context: LintContext): LintViolation[] {
  if (object.key !== KIND.ciliumNetworkPolicy && object.key !== KIND.ciliumClusterwideNetworkPolicy) {
    return [];
  }
  const proxies = perRun(context, dnsProxies);
  const violations = [];
  for (const { rule, path } of ciliumRules(object)) {
    if (proxies.covers({ namespace: ciliumNamespace(object, rule), scope: ciliumScope(rule.endpointSelector) })) {
      continue;
    }
    for (const { value, index } of objectsOf(rule.egress)) {
      if (!isEmptyList(value.toFQDNs)) {
        violations.push({
          path: `${at(`${path}.egress`, index)}.toFQDNs`,
          message: 'toFQDNs allows only the IPs Cilium\'s DNS proxy saw in answers to these pods, but no DNS rule (toPorts[].rules.dns) '
            + 'sends their lookups through the proxy: the rule allows nothing',
          fix: 'add `rules: {dns: [{matchPattern: "*"}]}` to the egress rule that allows kube-dns on port 53 (UDP and TCP) for the same pods',
        });
      }
    }
  }
  return violations;
}

/** The pods whose lookups a Cilium DNS rule (`toPorts[].rules.dns`) sends through the proxy, once per run. */
function dnsProxies(context: LintContext): ScopeCoverage {
  const coverage = new ScopeCoverage();
  for (const other of context.objects) {
    if (other.key !== KIND.ciliumNetworkPolicy && other.key !== KIND.ciliumClusterwideNetworkPolicy) {
      continue;
    }
    for (const { rule } of ciliumRules(other)) {
      if (objectsOf(rule.egress).some(({ value }) => objectsOf(value.toPorts).some(({ value: ports }) => !isEmptyList(asObject(ports.rules)?.dns)))) {
        coverage.add({ namespace: ciliumNamespace(other, rule), scope: ciliumScope(rule.endpointSelector) });
      }
    }
  }
  return coverage;
}
