import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Resolves a host name to every address it has (the default asks the system resolver, as a connection would). */
export type AddressLookup = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export const systemLookup: AddressLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Which receivers webhooks may reach besides public addresses. */
export interface WebhookTargetPolicy {
  /** Loopback, private (RFC 1918), CGNAT and unique-local receivers too: on-premise installs (WEBHOOK_ALLOW_PRIVATE=true). */
  allowPrivate: boolean;
  /** Networks allowed whatever their kind, e.g. `10.20.0.0/16` (WEBHOOK_ALLOWED_NETWORKS). */
  allowedNetworks: string[];
}

export const PUBLIC_ONLY: WebhookTargetPolicy = { allowPrivate: false, allowedNetworks: [] };

/** The policy from WEBHOOK_ALLOW_PRIVATE and WEBHOOK_ALLOWED_NETWORKS (comma-separated CIDRs); a bad value stops the start, naming the variable. */
export function webhookTargetPolicyFromEnv(env: NodeJS.ProcessEnv): WebhookTargetPolicy {
  const allow = env.WEBHOOK_ALLOW_PRIVATE?.trim().toLowerCase();
  if (allow && allow !== 'true' && allow !== 'false')
    throw new Error(`WEBHOOK_ALLOW_PRIVATE must be true or false, got "${env.WEBHOOK_ALLOW_PRIVATE}"`);
  const allowedNetworks = (env.WEBHOOK_ALLOWED_NETWORKS ?? '')
    .split(',')
    .map((cidr) => cidr.trim())
    .filter(Boolean);
  for (const cidr of allowedNetworks) {
    if (!ipaddr.isValidCIDR(cidr))
      throw new Error(`WEBHOOK_ALLOWED_NETWORKS: "${cidr}" is not a network such as 10.20.0.0/16 or fd12::/48`);
  }
  return { allowPrivate: allow === 'true', allowedNetworks };
}

/** Kinds an on-premise setting may open; the rest (metadata, multicast, unspecified, reserved) only an explicit network can. */
const PRIVATE_KINDS: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private address',
  carrierGradeNat: 'a shared (CGNAT) address',
  uniqueLocal: 'a unique-local address',
  deprecatedSiteLocal: 'a site-local address',
};
const OTHER_KINDS: Record<string, string> = {
  linkLocal: 'a link-local address (where cloud metadata services live)',
  unspecified: 'an unspecified address',
  broadcast: 'a broadcast address',
  multicast: 'a multicast address',
};

/**
 * Why a receiver at `address` is refused under `policy`, or null when it may be reached. The
 * address is normalised first: IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) forms are
 * judged by the IPv4 address they carry. Only global unicast passes by default.
 */
export function addressRefusal(address: string, policy: WebhookTargetPolicy): string | null {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = normalise(address);
  } catch {
    return 'not an IP address';
  }
  if (policy.allowedNetworks.some((cidr) => inNetwork(ip, cidr))) return null;
  const kind = ip.kind() === 'ipv6' && isIPv4Compatible(ip as ipaddr.IPv6) ? 'reserved' : ip.range();
  if (kind === 'unicast') return null;
  if (PRIVATE_KINDS[kind]) return policy.allowPrivate ? null : PRIVATE_KINDS[kind];
  return OTHER_KINDS[kind] ?? 'a reserved address';
}

function normalise(address: string): ipaddr.IPv4 | ipaddr.IPv6 {
  const family = isIP(address);
  if (family === 4) return ipaddr.IPv4.parse(address);
  if (family !== 6) throw new Error('not an IP address');
  // Through the URL parser's canonical form first: ipaddr.js reads "::a.b.c.d" as IPv4-mapped.
  const ip = ipaddr.IPv6.parse(new URL(`http://[${address}]/`).hostname.slice(1, -1));
  if (ip.isIPv4MappedAddress()) return ip.toIPv4Address();
  const parts = ip.parts;
  // 64:ff9b::/96, the well-known NAT64 prefix: DNS64 hands these out for IPv4-only hosts.
  if (parts[0] === 0x64 && parts[1] === 0xff9b && parts.slice(2, 6).every((part) => part === 0)) {
    return new ipaddr.IPv4([parts[6] >> 8, parts[6] & 0xff, parts[7] >> 8, parts[7] & 0xff]);
  }
  return ip;
}

/** ::a.b.c.d (deprecated IPv4-compatible form), which ipaddr.js counts as unicast. */
function isIPv4Compatible(ip: ipaddr.IPv6): boolean {
  return ip.parts.slice(0, 6).every((part) => part === 0) && (ip.parts[6] !== 0 || ip.parts[7] > 1);
}

/** IPv4 receivers (mapped forms included) match IPv4 networks, IPv6 ones IPv6 networks. */
function inNetwork(ip: ipaddr.IPv4 | ipaddr.IPv6, cidr: string): boolean {
  const [network, bits] = ipaddr.parseCIDR(cidr);
  if (network.kind() !== ip.kind()) return false;
  return ip.kind() === 'ipv4'
    ? (ip as ipaddr.IPv4).match(network as ipaddr.IPv4, bits)
    : (ip as ipaddr.IPv6).match(network as ipaddr.IPv6, bits);
}

/** The host of a parsed URL as the connection would use it: an IP literal (brackets removed) or a name. */
export function urlHost(url: URL): { literal: string | null; name: string } {
  const name = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { literal: isIP(name) ? name : null, name };
}

export type TargetCheck = { ok: true; address: string; family: 4 | 6 } | { ok: false; reason: string; resolved: boolean };

/**
 * Resolves the URL's host and checks every address it has: one refused address refuses the target
 * (a name that also points inside is not trusted). The caller connects to the returned address, so
 * a DNS answer that changes between check and connection cannot slip in.
 */
export async function checkTarget(url: URL, policy: WebhookTargetPolicy, lookup: AddressLookup, timeoutMs: number): Promise<TargetCheck> {
  const host = urlHost(url);
  if (host.literal) {
    const refusal = addressRefusal(host.literal, policy);
    return refusal
      ? { ok: false, reason: `${host.literal} is ${refusal}`, resolved: true }
      : { ok: true, address: host.literal, family: isIP(host.literal) as 4 | 6 };
  }
  let addresses: Array<{ address: string; family: number }>;
  try {
    addresses = await withTimeout(lookup(host.name), timeoutMs);
  } catch {
    return { ok: false, reason: `${host.name} does not resolve`, resolved: false };
  }
  if (!addresses.length) return { ok: false, reason: `${host.name} does not resolve`, resolved: false };
  for (const { address } of addresses) {
    const refusal = addressRefusal(address, policy);
    // The kind, not the address: internal DNS answers are not for the API's users to read.
    if (refusal) return { ok: false, reason: `${host.name} resolves to ${refusal}`, resolved: true };
  }
  return { ok: true, address: addresses[0].address, family: addresses[0].family === 6 ? 6 : 4 };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
