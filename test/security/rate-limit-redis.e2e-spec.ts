import { createClient } from '@redis/client';
import { RedisConnection } from '../../src/modules/redis/redis-connection.service';
import { startTestApp, type TestApp } from '../helpers/test-app';
import {
  classifyFrom,
  DisposableRedis,
  expectUniformError,
  freePort,
  waitFor,
} from './security-support';

/** This spec's own database on the shared test Redis: flushed here, used by no other spec. */
const SHARED_REDIS_URL = 'redis://127.0.0.1:6379/7';
const LIMIT = 4;

/** The nlp_rate_limit_local gauge: 1 while this replica counts in its own memory. */
async function countsLocally(sut: TestApp): Promise<boolean> {
  const metrics = (await sut.inject({ method: 'GET', url: '/metrics' })).body;
  const value = /^nlp_rate_limit_local (\d+)$/m.exec(metrics)?.[1];
  if (value === undefined) throw new Error('nlp_rate_limit_local is missing from /metrics');
  return value === '1';
}

function waitForRedis(sut: TestApp): Promise<void> {
  return waitFor(() => sut.app.get(RedisConnection).isUp(), 'the app to connect to Redis');
}

describe('rate limiting across replicas sharing Redis', () => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    const admin = createClient({ url: SHARED_REDIS_URL });
    await admin.connect();
    await admin.flushDb();
    await admin.close();
    const env = { REDIS_URL: SHARED_REDIS_URL, RATE_LIMIT: String(LIMIT), CACHE_ENABLED: 'false' };
    [first, second] = await Promise.all([startTestApp(env), startTestApp(env)]);
    await Promise.all([waitForRedis(first), waitForRedis(second)]);
  });

  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
  });

  it('enforces one limit for a client whatever replica it reaches', async () => {
    const remaining = [];
    for (let i = 0; i < LIMIT; i++) {
      const response = await classifyFrom(i % 2 === 0 ? first : second, '192.0.2.1');
      expect(response.statusCode).toBe(200);
      remaining.push(response.headers['ratelimit-remaining']);
    }
    expect(remaining).toEqual(['3', '2', '1', '0']);
    for (const replica of [first, second]) {
      const refused = await classifyFrom(replica, '192.0.2.1');
      expect(refused.statusCode).toBe(429);
      expectUniformError(refused);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    expect(await countsLocally(first)).toBe(false);
  });

  it('keeps clients apart in Redis, under hashed keys with the window as expiry', async () => {
    expect((await classifyFrom(second, '192.0.2.2')).statusCode).toBe(200);
    const admin = createClient({ url: SHARED_REDIS_URL });
    await admin.connect();
    try {
      const keys = await admin.keys('sift:rate-limit:*');
      expect(keys.length).toBeGreaterThanOrEqual(2);
      for (const key of keys) {
        expect(key).toMatch(/^sift:rate-limit:\{[0-9a-f]{64}\}:(hits|block)$/);
        const ttl = await admin.pTTL(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(60_000);
      }
    } finally {
      await admin.close();
    }
  });
});

describe('rate limiting while Redis is down', () => {
  it('limits each replica on its own counters when Redis is unreachable from the start', async () => {
    const sut = await startTestApp({
      REDIS_URL: `redis://127.0.0.1:${await freePort()}/7`,
      RATE_LIMIT: '2',
      CACHE_ENABLED: 'false',
    });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await classifyFrom(sut, '192.0.2.10')).statusCode);
      expect(statuses).toEqual([200, 200, 429, 429]);
      expect(await countsLocally(sut)).toBe(true);
    } finally {
      await sut.close();
    }
  });

  it('keeps limiting, without a 5xx, when Redis dies under a running replica', async () => {
    const redis = await DisposableRedis.launch();
    const sut = await startTestApp({
      REDIS_URL: redis.url,
      RATE_LIMIT: '3',
      CACHE_ENABLED: 'false',
    });
    try {
      await waitForRedis(sut);
      expect((await classifyFrom(sut, '192.0.2.20')).statusCode).toBe(200);
      expect(await countsLocally(sut)).toBe(false);

      await redis.kill();
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await classifyFrom(sut, '192.0.2.20')).statusCode);
      // This replica's memory starts the count afresh: 3 more, then refusals. Never a 5xx.
      expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
      expect(await countsLocally(sut)).toBe(true);
    } finally {
      await sut.close();
      await redis.kill();
    }
  });
});
