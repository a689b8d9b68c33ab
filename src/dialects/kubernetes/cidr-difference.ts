import * as ipaddr from 'ipaddr.js';

/** A CIDR block as numbers: family width, network address and prefix length. */
interface Block {
  readonly bits: 32 | 128;
  readonly address: bigint;
  readonly prefix: number;
}

/** Number of addresses of a block. */
function size(bits: number, prefix: number): bigint {
  return 2n ** BigInt(bits - prefix);
}

function parse(cidr: string): Block {
  const [addr, prefix] = ipaddr.parseCIDR(cidr);
  const bits = addr.kind() === 'ipv4' ? 32 : 128;
  const value = addr.toByteArray().reduce((v, b) => v * 256n + BigInt(b), 0n);
  return { bits, address: value - (value % size(bits, prefix)), prefix };
}

function format(b: Block): string {
  const bytes: number[] = [];
  let v = b.address;
  for (let i = 0; i < b.bits / 8; i++) {
    bytes.unshift(Number(v % 256n));
    v /= 256n;
  }
  return `${ipaddr.fromByteArray(bytes).toString()}/${b.prefix}`;
}

/** Whether `outer` contains `inner` (same family). */
function contains(outer: Block, inner: Block): boolean {
  if (outer.bits !== inner.bits || inner.prefix < outer.prefix) return false;
  return inner.address - (inner.address % size(outer.bits, outer.prefix)) === outer.address;
}

/**
 * The addresses of `cidr` minus those of every `except` block, as the fewest
 * CIDR blocks that cover exactly that set (in address order): the form a peer
 * list without exceptions (ClusterNetworkPolicy `networks`) needs. Excepts of
 * another family are ignored; the result is empty when the excepts cover all.
 */
export function cidrDifference(cidr: string, excepts: readonly string[]): string[] {
  const whole = parse(cidr);
  const holes = excepts.map(parse).filter(e => e.bits === whole.bits);
  const out: Block[] = [];
  const visit = (b: Block) => {
    if (holes.some(h => contains(h, b))) return;
    if (!holes.some(h => contains(b, h))) {
      out.push(b);
      return;
    }
    const next = b.prefix + 1;
    visit({ bits: b.bits, address: b.address, prefix: next });
    visit({ bits: b.bits, address: b.address + size(b.bits, next), prefix: next });
  };
  visit(whole);
  return out.map(format);
}
