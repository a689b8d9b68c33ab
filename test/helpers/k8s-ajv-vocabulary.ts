/**
 * The Kubernetes-specific formats and `x-kubernetes-*` keywords, taught to ajv
 * so that it checks what the API server checks and nothing it does not.
 */
import type Ajv from 'ajv';
import type { ErrorObject, Options } from 'ajv';
import addFormats from 'ajv-formats';
import * as ipaddr from 'ipaddr.js';

/**
 * `a.b.c.d/n` or `v6/n`, as Go's net.ParseCIDR accepts it (host bits may be
 * set; IPv4 octets may not have leading zeros).
 */
export function isCidr(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return false;
  const addr = value.slice(0, slash);
  const prefix = value.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefix)) return false;
  const bits = Number(prefix);
  if (ipaddr.IPv4.isValidFourPartDecimal(addr)) return bits <= 32;
  if (addr.includes(':') && !addr.includes('%') && ipaddr.IPv6.isValid(addr)) return bits <= 128;
  return false;
}

/**
 * Schema patterns are Go (RE2) regular expressions. The only RE2 syntax in
 * our schemas that JavaScript rejects is the one-letter Unicode class
 * shorthand (`^\PC*$` in Cilium), which JavaScript spells `\P{C}`.
 */
export function goPatternToJs(pattern: string): string {
  // Scan escape pairs left to right so that `\\pL` (an escaped backslash, then "pL") is left alone.
  return pattern.replace(/\\([pP])([A-Za-z])|\\[^]/g, (escape, p, cls) => (p ? `\\${p}{${cls}}` : escape));
}

type RegExpEngine = NonNullable<NonNullable<Options['code']>['regExp']>;

/** ajv `code.regExp` engine that accepts Go patterns. */
export const goRegExp: RegExpEngine = Object.assign(
  (pattern: string, flags: string) => new RegExp(goPatternToJs(pattern), flags),
  { code: 'goRegExp' },
);

function stableKey(x: unknown): string {
  return JSON.stringify(x, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().map(k => [k, v[k]]))
    : v));
}

/**
 * `x-kubernetes-list-type`: `set` items must be unique, `map` items must be
 * unique by their `x-kubernetes-list-map-keys`. The API server enforces both.
 */
function validateListType(
  this: unknown, listType: string, data: unknown, parentSchema?: { [k: string]: any },
): boolean {
  const self = validateListType as unknown as { errors: Partial<ErrorObject>[] };
  self.errors = [];
  if (!Array.isArray(data) || (listType !== 'set' && listType !== 'map')) return true;
  const mapKeys: string[] = listType === 'map' ? parentSchema?.['x-kubernetes-list-map-keys'] ?? [] : [];
  const seen = new Map<string, number>();
  data.forEach((item, i) => {
    const key = listType === 'set'
      ? stableKey(item)
      : stableKey(mapKeys.map(k => (item && typeof item === 'object' ? item[k] : undefined) ?? null));
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, i);
    } else {
      self.errors.push({
        keyword: 'x-kubernetes-list-type',
        params: { listType, duplicate: i, first },
        message: listType === 'set'
          ? `duplicate entry in a list-type=set list (same as item ${first})`
          : `duplicate entry in a list-type=map list: keys [${mapKeys.join(', ')}] same as item ${first}`,
      });
    }
  });
  return self.errors.length === 0;
}

/** Registers formats and keywords on an ajv instance created with `strict: false`. */
export function addKubernetesVocabulary(ajv: Ajv): Ajv {
  // date-time, hostname, ipv4, ipv6, byte, int32, int64, ...
  addFormats(ajv);
  ajv.addFormat('cidr', { type: 'string', validate: isCidr });
  // Marker for IntOrString; the accompanying anyOf/oneOf does the real check.
  ajv.addFormat('int-or-string', { validate: () => true });
  // The API server ignores formats outside its own list, and idn-hostname is
  // not on it; accepting every value matches what a cluster does.
  ajv.addFormat('idn-hostname', { type: 'string', validate: () => true });
  ajv.addKeyword({
    keyword: 'x-kubernetes-list-type',
    type: 'array',
    schemaType: 'string',
    errors: true,
    validate: validateListType as any,
  });
  return ajv;
}
