import { tryParseCidr } from '../../../analysis';
import { isCalicoPolicy } from '../calico-policy';
import { CILIUM_RULE_LISTS, ciliumRules } from '../cilium-policy';
import { KIND, LintObject } from '../lint-object';
import { LintViolation } from '../lint-rule';
import { asList, asObject, asString, at, objectsOf, specOf } from '../manifest-fields';

/**
 * A CIDR with host bits set (`10.0.0.1/8`): the API servers accept it and every plugin enforces the
 * whole block (10.0.0.0/8), so a rule meant for one address opens sixteen million — or an except
 * meant for one address closes a block (SEMANTICS §1 "ipBlock"). Kubernetes ipBlocks, Calico
 * nets (rules and network sets), Cilium CIDRs and Istio ipBlocks (a bare address is not a CIDR and is left alone).
 */
export function cidrHostBits(object: LintObject): LintViolation[] {
  return cidrFields(object).flatMap(({ path, value }) => {
    const text = asString(value);
    const cidr = text !== undefined && text.includes('/') ? tryParseCidr(text) : undefined;
    if (cidr === undefined || typeof cidr === 'string' || !cidr.hostBitsSet) {
      return [];
    }
    const address = text!.slice(0, text!.indexOf('/'));
    const single = cidr.family === 'IPv4' ? 32 : 128;
    const bits = single - cidr.prefix;
    const size = bits <= 32 ? (2 ** bits).toLocaleString('en-US') : `2^${bits}`;
    return [{
      path,
      message: `${text} has host bits set: it is enforced as ${cidr.text}, the whole block of ${size} addresses, not the address ${address}`,
      fix: `write ${cidr.text} if the block is meant, or ${address}/${single} for the one address`,
    }];
  });
}

/** Every CIDR field of an object, with its path. */
function cidrFields(object: LintObject): { readonly path: string; readonly value: unknown }[] {
  const fields: { path: string; value: unknown }[] = [];
  const list = (parent: string, value: unknown) => asList(value).forEach((entry, i) => fields.push({ path: at(parent, i), value: entry }));
  const spec = specOf(object.raw);
  if (object.key === KIND.kubernetesNetworkPolicy) {
    for (const [direction, peers] of [['ingress', 'from'], ['egress', 'to']] as const) {
      for (const { value: rule, index } of objectsOf(spec[direction])) {
        for (const { value: peer, index: j } of objectsOf(rule[peers])) {
          const block = asObject(peer.ipBlock);
          const path = `${at(`${at(`spec.${direction}`, index)}.${peers}`, j)}.ipBlock`;
          if (block) {
            fields.push({ path: `${path}.cidr`, value: block.cidr });
            list(`${path}.except`, block.except);
          }
        }
      }
    }
  } else if (isCalicoPolicy(object)) {
    for (const direction of ['ingress', 'egress']) {
      for (const { value: rule, index } of objectsOf(spec[direction])) {
        for (const end of ['source', 'destination']) {
          const entity = asObject(rule[end]) ?? {};
          for (const field of ['nets', 'notNets']) {
            list(`${at(`spec.${direction}`, index)}.${end}.${field}`, entity[field]);
          }
        }
      }
    }
  } else if (object.key === KIND.calicoNetworkSet || object.key === KIND.calicoGlobalNetworkSet) {
    list('spec.nets', spec.nets);
  } else if (object.key === KIND.ciliumNetworkPolicy || object.key === KIND.ciliumClusterwideNetworkPolicy) {
    for (const { rule, path } of ciliumRules(object)) {
      for (const direction of CILIUM_RULE_LISTS) {
        for (const { value: entry, index } of objectsOf(rule[direction])) {
          const base = at(`${path}.${direction}`, index);
          for (const field of ['fromCIDR', 'toCIDR']) {
            list(`${base}.${field}`, entry[field]);
          }
          for (const field of ['fromCIDRSet', 'toCIDRSet']) {
            objectsOf(entry[field]).forEach(({ value: set, index: j }) => {
              fields.push({ path: `${at(`${base}.${field}`, j)}.cidr`, value: set.cidr });
              list(`${at(`${base}.${field}`, j)}.except`, set.except);
            });
          }
        }
      }
    }
  } else if (object.key === KIND.istioAuthorizationPolicy) {
    for (const { value: rule, index } of objectsOf(spec.rules)) {
      for (const { value: from, index: j } of objectsOf(rule.from)) {
        const source = asObject(from.source) ?? {};
        for (const field of ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks']) {
          list(`${at(`${at('spec.rules', index)}.from`, j)}.source.${field}`, source[field]);
        }
      }
    }
  }
  return fields;
}
