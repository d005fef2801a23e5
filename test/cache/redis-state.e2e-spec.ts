import { jest } from '@jest/globals';
import { RedisConnection } from '../../src/modules/redis/redis-connection.service';
import { parseSamples, valueOf } from '../observability/exposition';
import { startTestApp, type TestApp } from '../helpers/test-app';
import {
  classify,
  connectTestRedis,
  DisposableRedis,
  waitForRedisUp,
  type TestRedisClient,
  redisClientOf,
} from './redis-test-support';

const ADMIN_API_KEY = 'redis-state-admin-key-0123456789';

/** What `/health` and `/metrics` say about Redis, read one after the other. */
async function redisAsReported(sut: TestApp): Promise<{ health: unknown; gauge: number }> {
  const health = (await sut.inject({ method: 'GET', url: '/health' })).json<{ redis: unknown }>();
  const metrics = (await sut.inject({ method: 'GET', url: '/metrics' })).body;
  return { health: health.redis, gauge: valueOf(parseSamples(metrics), 'nlp_cache_redis_up') };
}

/**
 * "Is Redis up?" has one answer (RedisConnection.state()): `/health`, the `nlp_cache_redis_up`
 * gauge and the cache tier read it. The case where they used to differ is a Redis that stays
 * connected but stops answering, so that only the circuit breaker knows it is failing: this
 * spec pauses its own redis-server's clients (CLIENT PAUSE) to get there.
 */
describe('Redis state while the circuit breaker is open', () => {
  let server: DisposableRedis;
  let admin: TestRedisClient;
  let sut: TestApp;

  beforeAll(async () => {
    server = await DisposableRedis.launch();
    admin = await connectTestRedis(server.url);
    // No memory tier, so every request asks Redis; a short budget, so a paused Redis fails fast.
    sut = await startTestApp({
      REDIS_URL: server.url,
      CACHE_MEMORY_ITEMS: '0',
      CACHE_TIMEOUT_MS: '100',
      ADMIN_API_KEY,
    });
    await waitForRedisUp(sut);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    // Replies the paused server owes are never sent: closing gives up on them (see RedisConnection).
    admin?.destroy();
    await server?.kill();
    await sut?.close();
  });

  it('reports the same state on /health and in the gauge, up and then failing', async () => {
    expect(await redisAsReported(sut)).toEqual({ health: 'up', gauge: 1 });

    // The breaker's cool-down must not run out between the two reads: stop its clock.
    jest.spyOn(Date, 'now').mockReturnValue(Date.now());
    await admin.sendCommand(['CLIENT', 'PAUSE', '600000', 'ALL']);
    const connection = sut.app.get(RedisConnection);
    for (let i = 0; i < 20 && connection.state() !== 'down'; i++) {
      const response = await classify(sut, `paused Redis ${i}: see you at the standup`);
      expect(response.statusCode).toBe(200);
    }

    expect(connection.state()).toBe('down');
    // Still connected: only the breaker knows Redis is failing.
    expect(redisClientOf(sut).isReady).toBe(true);
    expect(await redisAsReported(sut)).toEqual({ health: 'down', gauge: 0 });

    // Invalidation reads the same answer, and says Redis kept its entries instead of succeeding.
    const invalidation = await sut.inject({
      method: 'DELETE',
      url: '/cache?model=spam-en',
      headers: { 'x-api-key': ADMIN_API_KEY },
    });
    expect(invalidation.statusCode).toBe(503);
    expect(invalidation.json()).toMatchObject({
      statusCode: 503,
      error: 'Service Unavailable',
      message:
        'Redis is unreachable: the memory tier was cleared, Redis was not; retry when Redis is back',
    });
  });
});
