import { createHash } from 'node:crypto';
import { clientKey } from './client-key';

const hashOf = (client: string): string => createHash('sha256').update(client).digest('hex');

describe(clientKey.name, () => {
  it('keys IPv4 clients by their address, hashed', () => {
    expect(clientKey('203.0.113.7')).toBe(hashOf('203.0.113.7'));
    expect(clientKey('203.0.113.7')).not.toBe(clientKey('203.0.113.8'));
  });

  it('counts an IPv6 /64 as one client', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe(clientKey('2001:db8:1:2:ffff:ffff:ffff:fffe'));
    expect(clientKey('2001:db8:1:2::1')).toBe(hashOf('2001:db8:1:2::/64'));
    expect(clientKey('2001:db8:1:3::1')).not.toBe(clientKey('2001:db8:1:2::1'));
  });

  it('counts IPv4-mapped IPv6 as the IPv4 address', () => {
    expect(clientKey('::ffff:203.0.113.7')).toBe(clientKey('203.0.113.7'));
  });

  it('ignores an IPv6 zone index', () => {
    expect(clientKey('fe80::1%eth0')).toBe(clientKey('fe80::2'));
  });

  it('puts requests without an address in one shared bucket', () => {
    expect(clientKey(undefined)).toBe(hashOf('unknown'));
  });
});
