import { createHash } from 'crypto';

const MAX = 63;

/**
 * A readable, stable object name: `<base>-<suffix>` as an RFC 1123 DNS label
 * of at most 63 characters (valid for every engine's kinds). Longer names are
 * cut and end in 8 hex characters of a SHA-256 of the full name — derived
 * from the construct path, never random.
 */
export function objectName(base: string, suffix?: string): string {
  const full = [base, suffix].filter(x => x !== undefined && x !== '').join('-');
  const clean = full.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '') || 'policy';
  if (clean.length <= MAX) return clean;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${clean.slice(0, MAX - 9).replace(/-+$/, '')}-${hash}`;
}
