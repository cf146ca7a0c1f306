/**
 * Where a webhook may go (issue 18, "safe targets"). At `add`, the URL itself is checked; at every
 * delivery the host is resolved again and each address checked, and the request connects to the
 * address that was checked (a pinned `lookup`), so a DNS answer that changes between the check and
 * the connection (rebinding) cannot steer a delivery inward.
 *
 * Always refused: link-local (169.254/16, fe80::/10, which hold the cloud metadata services),
 * the metadata addresses and names themselves, unspecified, multicast and broadcast. Refused
 * unless WEBHOOK_ALLOW_PRIVATE=true: loopback, private (RFC 1918), shared (100.64/10) and
 * unique-local (fc00::/7) addresses, `localhost`, and plain http.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

export type Verdict = { ok: true } | { ok: false; message: string };

const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

const never = new BlockList();
never.addAddress('169.254.169.254');
never.addAddress('100.100.100.200');
never.addAddress('fd00:ec2::254', 'ipv6');
never.addSubnet('169.254.0.0', 16);
never.addSubnet('0.0.0.0', 8);
never.addSubnet('224.0.0.0', 4);
never.addSubnet('240.0.0.0', 4);
never.addSubnet('fe80::', 10, 'ipv6');
never.addSubnet('ff00::', 8, 'ipv6');
never.addAddress('::', 'ipv6');

const internal = new BlockList();
internal.addSubnet('127.0.0.0', 8);
internal.addSubnet('10.0.0.0', 8);
internal.addSubnet('172.16.0.0', 12);
internal.addSubnet('192.168.0.0', 16);
internal.addSubnet('100.64.0.0', 10);
internal.addSubnet('198.18.0.0', 15);
internal.addAddress('::1', 'ipv6');
internal.addSubnet('fc00::', 7, 'ipv6');

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is judged as the IPv4 address it carries. */
function unmapped(address: string): { address: string; family: 'ipv4' | 'ipv6' } | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return { address: mapped[1], family: 'ipv4' };
  const v = isIP(address);
  if (v === 4) return { address, family: 'ipv4' };
  if (v === 6) return { address, family: 'ipv6' };
  return null;
}

/** May a delivery connect to this address? */
export function addressVerdict(address: string, allowPrivate: boolean): Verdict {
  const a = unmapped(address);
  if (!a) return { ok: false, message: `${address} is not an IP address` };
  if (never.check(a.address, a.family)) {
    return { ok: false, message: `${address} is a link-local, metadata or reserved address; webhooks never go there` };
  }
  if (!allowPrivate && internal.check(a.address, a.family)) {
    return { ok: false, message: `${address} is a loopback or private address (allowed only with WEBHOOK_ALLOW_PRIVATE=true)` };
  }
  return { ok: true };
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

/** The checks a URL passes before it is stored (no DNS: the address is checked at every delivery). */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): { ok: true; url: string } | { ok: false; message: string } {
  const text = raw.trim();
  if (text.length === 0) return { ok: false, message: 'Give the URL the events go to, e.g. https://hooks.example.com/userops.' };
  if (text.length > 2000) return { ok: false, message: 'The URL is longer than 2000 characters.' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: 'That is not a URL; give one like https://hooks.example.com/userops.' };
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) {
    return {
      ok: false,
      message: allowPrivate
        ? 'The URL must start with https:// or http://.'
        : 'The URL must start with https:// (plain http only with WEBHOOK_ALLOW_PRIVATE=true).',
    };
  }
  if (url.username || url.password)
    return { ok: false, message: 'The URL must not carry a user name or password; the signature authenticates the events.' };
  if (url.hash) return { ok: false, message: 'The URL must not have a #fragment.' };
  if (url.port === '0') return { ok: false, message: 'Port 0 is not a port a receiver can listen on.' };
  const host = hostOf(url);
  if (METADATA_HOSTS.has(host)) return { ok: false, message: `${host} is a cloud metadata service; webhooks never go there.` };
  if (!allowPrivate && (host === 'localhost' || host.endsWith('.localhost'))) {
    return { ok: false, message: 'localhost is allowed only with WEBHOOK_ALLOW_PRIVATE=true.' };
  }
  if (isIP(host) || /^::ffff:/i.test(host)) {
    const v = addressVerdict(host, allowPrivate);
    if (!v.ok) return { ok: false, message: `${v.message}.` };
  }
  return { ok: true, url: url.toString() };
}

export interface VettedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Resolve the host now and check every address it has; the delivery then connects to the first.
 * Refused when any address is refused: a name that also points inward is not trusted at all.
 */
export async function resolveVetted(url: URL, allowPrivate: boolean): Promise<VettedAddress | { error: string }> {
  const host = hostOf(url);
  if (METADATA_HOSTS.has(host)) return { error: `${host} is a cloud metadata service` };
  let addresses: Array<{ address: string; family: number }>;
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch (e) {
      return { error: `could not resolve ${host} (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
    }
  }
  if (addresses.length === 0) return { error: `${host} has no address` };
  for (const a of addresses) {
    const v = addressVerdict(a.address, allowPrivate);
    if (!v.ok) return { error: `refused ${host}: ${v.message}` };
  }
  return { address: addresses[0].address, family: addresses[0].family === 6 ? 6 : 4 };
}
