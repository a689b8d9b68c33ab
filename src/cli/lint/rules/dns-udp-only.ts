import { dnsAllowances, dnsCoverage } from '../egress-dns';
import { LintObject } from '../lint-object';
import { LintContext, LintViolation } from '../lint-rule';
import { perRun } from '../per-run';

/**
 * DNS allowed on UDP 53 only: responses larger than 512 bytes (many records, DNSSEC) retry over
 * TCP 53 and fail (projectcalico/calico#8224; SEMANTICS §1 "DNS after default-deny egress"). The
 * seed's backend-egress-policy has this gap. Compliant when another allowance gives the same pods TCP 53.
 */
export function dnsUdpOnly(object: LintObject, context: LintContext): LintViolation[] {
  const own = dnsAllowances(object).filter((allowance) => allowance.udp && !allowance.tcp);
  if (own.length === 0) {
    return [];
  }
  const tcp = perRun(context, dnsCoverage).tcp;
  return own
    .filter((allowance) => !tcp.covers(allowance))
    .map((allowance) => ({
      path: allowance.path,
      message: 'DNS is allowed on UDP 53 but not on TCP 53: large responses (truncated UDP answers, DNSSEC, many records) retry over TCP and fail',
      fix: 'allow TCP 53 next to UDP 53 in the same rule',
    }));
}
