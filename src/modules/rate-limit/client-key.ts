import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';

/** Hextets of an IPv6 address, or undefined when it is not one. */
function hextets(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted !== null) {
    // The embedded IPv4 tail (::ffff:1.2.3.4) becomes its two hextets.
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array<string>(fill).fill('0'), ...right].map((group) =>
    parseInt(group, 16),
  );
  return groups.length === 8 && groups.every((group) => group >= 0 && group <= 0xffff)
    ? groups
    : undefined;
}

/**
 * Who a request counts against: its address (`request.ip`, which honours TRUST_PROXY), with
 * IPv6 reduced to its /64, since one host is usually handed a whole /64 and could otherwise
 * rotate through fresh addresses. IPv4-mapped IPv6 counts as the IPv4 address. Hashed so the
 * Redis keys hold no client addresses.
 */
export function clientKey(ip: string | undefined): string {
  let client = ip ?? 'unknown';
  const zone = client.indexOf('%');
  if (zone !== -1) client = client.slice(0, zone);
  if (isIPv6(client)) {
    const groups = hextets(client);
    if (groups !== undefined) {
      const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
      client = mapped
        ? [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.')
        : `${groups
            .slice(0, 4)
            .map((group) => group.toString(16))
            .join(':')}::/64`;
    }
  }
  return createHash('sha256').update(client).digest('hex');
}
