import * as ipaddr from 'ipaddr.js';
import { AnalysisInputError } from '../ir/analysis-input-error';

/** The two IP address families a Kubernetes cluster can run (alone or dual-stack). */
export type IpFamily = 'IPv4' | 'IPv6';

/** A parsed IP address. `value` is the address as an unsigned integer, `text` its canonical spelling. */
export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
  readonly text: string;
}

/** Number of bits of an address of each family. */
export const FAMILY_BITS: Readonly<Record<IpFamily, number>> = { IPv4: 32, IPv6: 128 };

const DOTTED_DECIMAL = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Parses an IPv4 or IPv6 address the way the Kubernetes API server does for legacy fields.
 *
 * IPv4 must be four dotted decimal parts; leading zeros are read as decimal ("010.0.0.1" is 10.0.0.1),
 * as Go's `ParseIPSloppy` does, never as octal (which `ipaddr.js` alone would do). IPv6 zone
 * identifiers ("fe80::1%eth0") are rejected because pod and policy addresses never carry them.
 *
 * @returns the address, or an error message saying what was expected
 */
export function tryParseIpAddress(text: string): IpAddress | string {
  const trimmed = text.trim();
  if (trimmed !== text || text.length === 0) {
    return `expected an IP address such as 10.0.0.1 or fd00::1, got ${JSON.stringify(text)}`;
  }
  const dotted = DOTTED_DECIMAL.exec(text);
  if (dotted) {
    const octets = dotted.slice(1, 5).map((part) => parseInt(part, 10));
    if (octets.some((octet) => octet > 255)) {
      return `expected an IPv4 address with four parts from 0 to 255, got ${JSON.stringify(text)}`;
    }
    return fromBytes('IPv4', octets, octets.join('.'));
  }
  if (text.includes(':')) {
    if (text.includes('%')) {
      return `expected an IPv6 address without a zone, got ${JSON.stringify(text)}`;
    }
    if (!ipaddr.IPv6.isValid(text)) {
      return `expected an IPv6 address such as fd00::1, got ${JSON.stringify(text)}`;
    }
    const parsed = ipaddr.IPv6.parse(text);
    return fromBytes('IPv6', parsed.toByteArray(), parsed.toRFC5952String());
  }
  return `expected an IP address such as 10.0.0.1 or fd00::1, got ${JSON.stringify(text)}`;
}

/**
 * Parses an IP address; throws an `AnalysisInputError` whose message says what was expected.
 * @see tryParseIpAddress for the accepted spellings
 */
export function parseIpAddress(text: string): IpAddress {
  const result = tryParseIpAddress(text);
  if (typeof result === 'string') {
    throw new AnalysisInputError(result);
  }
  return result;
}

/** Builds an address of a family from its integer value (used for masked networks). */
export function ipFromValue(family: IpFamily, value: bigint): IpAddress {
  const bytes: number[] = [];
  let rest = value;
  for (let i = 0; i < FAMILY_BITS[family] / 8; i++) {
    bytes.unshift(Number(rest % 256n));
    rest = rest / 256n;
  }
  if (family === 'IPv4') {
    return fromBytes(family, bytes, bytes.join('.'));
  }
  return fromBytes(family, bytes, (ipaddr.fromByteArray(bytes) as ipaddr.IPv6).toRFC5952String());
}

function fromBytes(family: IpFamily, bytes: readonly number[], text: string): IpAddress {
  let value = 0n;
  for (const byte of bytes) {
    value = value * 256n + BigInt(byte);
  }
  return { family, value, text };
}
