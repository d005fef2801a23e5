import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { startTestApp, type TestApp } from '../helpers/test-app';
import {
  cacheOf,
  classify,
  keyOf,
  redisClientOf,
  waitForRedisUp,
} from '../cache/redis-test-support';
import { killAll, Scratch, waitFor } from './redis-processes';
import { startTlsServer, tlsEnv, type TlsServer } from './redis-topologies';

interface HealthBody {
  readonly issues: readonly string[];
  readonly redis: string;
  readonly checks: { readonly redis: Record<string, unknown> };
}

/**
 * Managed Redis as ElastiCache sells it: TLS only, a private CA, an ACL user, and here mutual
 * TLS as well (the server asks for a client certificate). The server and every certificate are
 * made by the spec.
 */
describe('Redis over TLS (rediss://)', () => {
  const scratch = new Scratch();
  let tls: TlsServer | undefined;
  const apps: TestApp[] = [];

  function env(ca?: string): Record<string, string> {
    return { ...tlsEnv(tls!, ca), CACHE_MEMORY_ITEMS: '0' };
  }

  beforeAll(async () => {
    tls = await startTlsServer(scratch);
  });

  afterAll(async () => {
    await Promise.allSettled(apps.map((app) => app.close()));
    await killAll([tls?.server]);
    scratch.dispose();
  });

  it('shares one cache between two instances over TLS with an ACL user', async () => {
    const [first, second] = await Promise.all([startTestApp(env()), startTestApp(env())]);
    apps.push(first, second);
    await Promise.all([waitForRedisUp(first), waitForRedisUp(second)]);
    const text = 'TLS e2e: the quarterly report is attached.';

    expect((await classify(first, text)).json().cached).toBe(false);
    const admin = await tls!.server.connect();
    try {
      await waitFor(async () => (await admin.exists(keyOf(first, text))) === 1, 'the write');
    } finally {
      admin.destroy();
    }
    const fromSecond = await classify(second, text);

    expect(fromSecond.statusCode).toBe(200);
    expect(fromSecond.json().cached).toBe(true);
    const health = (await second.inject({ method: 'GET', url: '/health' })).json<HealthBody>();
    expect(health.checks.redis).toMatchObject({ state: 'up', mode: 'standalone', tls: true });
  });

  it('reports a server certificate its CA did not sign in /health, and still answers', async () => {
    const warnings = jest.spyOn(Logger.prototype, 'warn');
    const sut = await startTestApp(env(tls!.certificates.otherCa));
    apps.push(sut);
    let failedHandshakes = 0;
    redisClientOf(sut).on('error', () => (failedHandshakes += 1));
    await waitFor(() => failedHandshakes >= 3, 'three failed handshakes');

    const response = await classify(sut, 'TLS e2e: wrong CA, still answered');
    const health = (await sut.inject({ method: 'GET', url: '/health' })).json<HealthBody>();

    expect(response.statusCode).toBe(200);
    expect(response.json().cached).toBe(false);
    expect(cacheOf(sut).status().redis).toBe('down');
    expect(health.redis).toBe('down');
    expect(health.issues.join('\n')).toMatch(/redis is unavailable \(.*certificate/i);
    // Reported once, not once per reconnection attempt.
    const redisWarnings = warnings.mock.calls.filter(([message]) =>
      String(message).startsWith('Redis unavailable'),
    );
    expect(redisWarnings).toHaveLength(1);
    warnings.mockRestore();
  });
});
