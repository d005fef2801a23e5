import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redisTlsOptions } from './redis-tls';

describe(redisTlsOptions.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sift-redis-tls-'));
  const pem = join(dir, 'ca.pem');
  writeFileSync(pem, 'not checked here: Node parses it at the handshake');

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the CA once and names the server to expect', () => {
    const sut = redisTlsOptions({ REDIS_TLS_CA_FILE: pem, REDIS_TLS_SERVERNAME: 'redis.internal' });

    expect(sut.ca?.toString()).toContain('not checked here');
    expect(sut.servername).toBe('redis.internal');
    expect(sut.cert).toBeUndefined();
  });

  it('fails naming the variable when a file cannot be read', () => {
    expect(() => redisTlsOptions({ REDIS_TLS_CA_FILE: join(dir, 'missing.pem') })).toThrow(
      /^REDIS_TLS_CA_FILE: cannot read/,
    );
  });
});
