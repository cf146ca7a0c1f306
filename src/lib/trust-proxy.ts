import { isIP } from 'node:net';

/**
 * TRUST_PROXY: which proxies may tell us a client's address in X-Forwarded-For. The parsed value
 * is what express's 'trust proxy' setting takes: `false` (trust nobody: the socket address is the
 * client), a hop count (the last N hops are our proxies), or a list of proxy addresses, CIDR
 * ranges and proxy-addr's named ranges. Express's bare `true` (trust every hop) is refused: with
 * it, the leftmost X-Forwarded-For entry, which the client writes, becomes the client address.
 * So is a /0 range (proxy-addr itself throws on one); a list that adds up to every address is
 * allowed but warned about at start (`trustsEveryAddress`).
 */
export type TrustProxy = false | number | string[];

export const MAX_PROXY_HOPS = 10;

/** proxy-addr's (express's) named ranges. */
const NAMED_RANGES: Record<string, string[]> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

const FORMS = `a hop count from 0 to ${MAX_PROXY_HOPS}, or a comma-separated list of proxy addresses, CIDR ranges, loopback, linklocal or uniquelocal`;

export type TrustProxyParse = { ok: true; value: TrustProxy } | { ok: false; message: string };

/** Messages never echo the value (it was typed by an operator; the line names the variable). */
export function parseTrustProxy(raw: string): TrustProxyParse {
  const v = raw.trim().toLowerCase();
  if (['', 'false', 'no', '0'].includes(v)) return { ok: true, value: false };
  if (['true', 'yes', 'on', '*', 'all'].includes(v)) {
    return { ok: false, message: `must be ${FORMS}: trusting every hop would let any client choose its own address` };
  }
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops > MAX_PROXY_HOPS) return { ok: false, message: `must be ${FORMS} (more than ${MAX_PROXY_HOPS} hops is not a real chain)` };
    return { ok: true, value: hops };
  }
  const entries = v.split(',').map((e) => e.trim());
  for (const [i, entry] of entries.entries()) {
    if (entry in NAMED_RANGES) continue;
    const range = parseRange(entry);
    if (range === null) return { ok: false, message: `must be ${FORMS}; entry ${i + 1} is none of these` };
    if (range.prefix === 0) {
      return {
        ok: false,
        message: `must be ${FORMS}; entry ${i + 1} is a /0 range, and trusting every address would let any client choose its own`,
      };
    }
  }
  return { ok: true, value: entries };
}

interface Range {
  family: 4 | 6;
  prefix: number;
  start: bigint;
  end: bigint;
  /** An IPv6 address written in IPv4-mapped form (::ffff:a.b.c.d), before masking. */
  mapped: boolean;
}

const BITS = { 4: 32, 6: 128 } as const;

function ipToBigInt(ip: string, family: 4 | 6): bigint {
  if (family === 4) return ip.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
  // An IPv6 address may end in dotted IPv4 (::ffff:10.0.0.1): turn that tail into two groups.
  let text = ip;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const n = ipToBigInt(dotted[1], 4);
    text = `${text.slice(0, dotted.index)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? headGroups : [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** An address or CIDR range as the interval of addresses it covers; null when it is neither. */
function parseRange(entry: string): Range | null {
  const [addr, prefixText, extra] = entry.split('/');
  if (extra !== undefined || addr.includes('%')) return null;
  const family = isIP(addr);
  if (family !== 4 && family !== 6) return null;
  const bits = BITS[family];
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return null;
  const hostBits = BigInt(bits - prefix);
  const n = ipToBigInt(addr, family);
  const start = (n >> hostBits) << hostBits;
  return { family, prefix, start, end: start + (1n << hostBits) - 1n, mapped: family === 6 && n >> 32n === 0xffffn };
}

/** Whether intervals cover [0, last] entirely. */
function covers(intervals: Array<[bigint, bigint]>, last: bigint): boolean {
  let next = 0n;
  for (const [start, end] of [...intervals].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (start > next) return false;
    if (end + 1n > next) next = end + 1n;
    if (next > last) return true;
  }
  return false;
}

const MAPPED_START = 0xffff00000000n; // ::ffff:0.0.0.0
const MAPPED_END = 0xffffffffffffn; // ::ffff:255.255.255.255

/**
 * Whether a TRUST_PROXY list trusts every IPv4 or every IPv6 client address (ranges that add up to
 * the whole space, such as 0.0.0.0/1,128.0.0.0/1). Then any client can forge its address, as with
 * a bare `true`. Follows proxy-addr's rules across families: an IPv4 client (or an IPv4-mapped
 * one) matches IPv4 ranges and IPv4-mapped IPv6 ranges of /96 or longer; a native IPv6 client
 * matches only IPv6 ranges that are not IPv4-mapped.
 */
export function trustsEveryAddress(value: TrustProxy): boolean {
  if (!Array.isArray(value)) return false;
  const ranges = value.flatMap((e) => NAMED_RANGES[e] ?? [e]).flatMap((e) => parseRange(e) ?? []);
  const v4: Array<[bigint, bigint]> = [];
  // Mapped clients are IPv4 clients: the IPv6 space to cover is everything else.
  const v6: Array<[bigint, bigint]> = [[MAPPED_START, MAPPED_END]];
  for (const r of ranges) {
    if (r.family === 4) v4.push([r.start, r.end]);
    else if (!r.mapped) v6.push([r.start, r.end]);
    else if (r.prefix >= 96) v4.push([r.start - MAPPED_START, r.end - MAPPED_START]);
  }
  return covers(v4, (1n << 32n) - 1n) || covers(v6, (1n << 128n) - 1n);
}
