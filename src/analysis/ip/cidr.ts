import { FAMILY_BITS, IpAddress, IpFamily, ipFromValue, tryParseIpAddress } from './ip-address';
import { AnalysisInputError } from '../ir/analysis-input-error';

/**
 * A parsed CIDR. `network` has the host bits cleared: the API server accepts "10.0.0.5/24" and every
 * implementation enforces it as 10.0.0.0/24, so `text` is the masked spelling and `original` what was written.
 */
export interface Cidr {
  readonly family: IpFamily;
  readonly network: bigint;
  readonly prefix: number;
  readonly text: string;
  readonly original: string;
  /** True when `original` had host bits set (a lint finding, not an error). */
  readonly hostBitsSet: boolean;
}

/**
 * Parses a CIDR such as "10.0.0.0/16" or "fd00::/64", masking host bits like the API server's
 * sloppy parser. IPv4 leading zeros are decimal (see `tryParseIpAddress`).
 *
 * @returns the CIDR, or an error message saying what was expected and how to fix it
 */
export function tryParseCidr(text: string): Cidr | string {
  const slash = text.indexOf('/');
  if (slash < 0) {
    const asIp = tryParseIpAddress(text);
    const hint = typeof asIp === 'string' ? '' : `; did you mean ${asIp.text}/${FAMILY_BITS[asIp.family]}?`;
    return `expected a CIDR such as 10.0.0.0/16 or fd00::/64, got ${JSON.stringify(text)} (the prefix length is missing${hint})`;
  }
  const address = tryParseIpAddress(text.slice(0, slash));
  if (typeof address === 'string') {
    return `expected a CIDR such as 10.0.0.0/16 or fd00::/64, got ${JSON.stringify(text)} (${address})`;
  }
  const prefixText = text.slice(slash + 1);
  const bits = FAMILY_BITS[address.family];
  if (!/^\d{1,3}$/.test(prefixText) || parseInt(prefixText, 10) > bits) {
    return `expected a prefix length from 0 to ${bits} after "/", got ${JSON.stringify(text)}`;
  }
  const prefix = parseInt(prefixText, 10);
  const block = blockSize(address.family, prefix);
  const network = (address.value / block) * block;
  return {
    family: address.family,
    network,
    prefix,
    text: `${ipFromValue(address.family, network).text}/${prefix}`,
    original: text,
    hostBitsSet: network !== address.value,
  };
}

/** Parses a CIDR; throws an `AnalysisInputError` whose message says what was expected. */
export function parseCidr(text: string): Cidr {
  const result = tryParseCidr(text);
  if (typeof result === 'string') {
    throw new AnalysisInputError(result);
  }
  return result;
}

/** True if the address lies inside the CIDR (addresses of the other family never do). */
export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  if (cidr.family !== ip.family) {
    return false;
  }
  const block = blockSize(cidr.family, cidr.prefix);
  return (ip.value / block) * block === cidr.network;
}

/** True if every address of `inner` is inside `outer`. */
export function cidrContainsCidr(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && inner.prefix >= outer.prefix
    && cidrContains(outer, { family: inner.family, value: inner.network, text: '' });
}

/** 2^(bits - prefix) for every valid prefix length, per family: the matrix tests millions of pod addresses. */
const BLOCK_SIZES: Readonly<Record<IpFamily, readonly bigint[]>> = {
  IPv4: Array.from({ length: FAMILY_BITS.IPv4 + 1 }, (_, prefix) => 2n ** BigInt(FAMILY_BITS.IPv4 - prefix)),
  IPv6: Array.from({ length: FAMILY_BITS.IPv6 + 1 }, (_, prefix) => 2n ** BigInt(FAMILY_BITS.IPv6 - prefix)),
};

/** Number of addresses in a network of this prefix length (2^(bits - prefix)). */
function blockSize(family: IpFamily, prefix: number): bigint {
  return BLOCK_SIZES[family][prefix] ?? 2n ** BigInt(FAMILY_BITS[family] - prefix);
}
