import { createHash } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { LRUCache } from 'lru-cache';

/**
 * Keys of recent addresses: parsing and hashing an address cost more than the rest of the
 * limiter's work for a request, and a client sends many requests from one address.
 */
const recentKeys = new LRUCache<string, string>({ max: 10_000 });

/** The client a request counts against, before hashing. */
function clientOf(ip: string | undefined): string {
  if (ip === undefined) return 'unknown';
  // A zone index (fe80::1%eth0) names the local interface, not the client.
  const address = ip.split('%')[0];
  if (!ipaddr.isValid(address)) return ip;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const v6 = parsed as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  return `${v6.parts
    .slice(0, 4)
    .map((part) => part.toString(16))
    .join(':')}::/64`;
}

/**
 * Who a request counts against: its address (`request.ip`, which honours TRUST_PROXY), with
 * IPv6 reduced to its /64, since one host is usually handed a whole /64 and could otherwise
 * rotate through fresh addresses. IPv4-mapped IPv6 counts as the IPv4 address. Parsed with
 * ipaddr.js, the parser Fastify's own proxy-addr uses for `request.ip`. Hashed so the Redis
 * keys hold no client addresses.
 */
export function clientKey(ip: string | undefined): string {
  if (ip === undefined) return hashed(clientOf(ip));
  let key = recentKeys.get(ip);
  if (key === undefined) {
    key = hashed(clientOf(ip));
    recentKeys.set(ip, key);
  }
  return key;
}

function hashed(client: string): string {
  return createHash('sha256').update(client).digest('hex');
}
