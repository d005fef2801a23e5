import { jest } from '@jest/globals';
import { startTestApp, type TestApp } from '../helpers/test-app';
import {
  cacheOf,
  classify,
  connectTestRedis,
  DisposableRedis,
  freePort,
  waitFor,
  keyOf,
  waitForRedisEntry,
  waitForRedisUp,
  redisClientOf,
} from './redis-test-support';

const text = (label: string | number): string =>
  `Outage e2e ${label}: the invoice is attached, thanks.`;

/** Sends `total` requests, `concurrency` at a time, calling `onResponse` after each. */
async function traffic(
  sut: TestApp,
  total: number,
  concurrency: number,
  onResponse: (status: number) => void,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const index = next++;
      // Some texts repeat so that lookups can hit as well as miss.
      const response = await classify(sut, text(index % 40));
      onResponse(response.statusCode);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/**
 * Redis is a cache: losing it must cost hit rate, never a request. This spec runs its own
 * redis-server (never the shared one) so it can kill and restart it.
 */
describe('prediction cache across a Redis outage', () => {
  let server: DisposableRedis;
  let sut: TestApp;

  beforeAll(async () => {
    server = new DisposableRedis(await freePort());
    await server.start();
    // No memory tier: every cached answer below must have come from Redis.
    sut = await startTestApp({ REDIS_URL: server.url, CACHE_MEMORY_ITEMS: '0' });
    await waitForRedisUp(sut);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    await sut?.close();
    await server?.kill();
  });

  it('answers from Redis while it is up', async () => {
    const redis = await connectTestRedis(server.url);
    try {
      await classify(sut, text('before'));
      await waitForRedisEntry(sut, redis, text('before'));
      expect((await classify(sut, text('before'))).json().cached).toBe(true);
    } finally {
      redis.destroy();
    }
  });

  it('fails no request when Redis dies mid-traffic, and reports it down', async () => {
    const statuses: number[] = [];
    const running = traffic(sut, 300, 8, (status) => statuses.push(status));
    await waitFor(() => statuses.length >= 60, 'traffic to be flowing');
    await server.kill();
    await running;

    expect(statuses).toHaveLength(300);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    await waitFor(
      () => cacheOf(sut).status().redis === 'down',
      'the Redis tier to be reported down',
    );
  });

  it('skips Redis without sending commands while it is down', async () => {
    const mget = jest.spyOn(redisClientOf(sut), 'mGet');

    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => classify(sut, text(`down ${i}`))),
    );

    expect(responses.map((response) => response.statusCode)).toEqual(Array(20).fill(200));
    expect(responses.every((response) => response.json().cached === false)).toBe(true);
    expect(mget).not.toHaveBeenCalled();
  });

  it('writes to and reads from Redis again once it is back on the same port', async () => {
    await server.start();
    await waitForRedisUp(sut);
    const redis = await connectTestRedis(server.url);
    try {
      // The restarted server is empty (no persistence), so an entry there is a new write. The
      // first request after the restart may be spent probing Redis, hence the retry.
      await waitFor(async () => {
        await classify(sut, text('after'));
        return (await redis.exists(keyOf(sut, text('after')))) === 1;
      }, 'a write to reach the restarted Redis');

      expect((await classify(sut, text('after'))).json().cached).toBe(true);
      expect(cacheOf(sut).status().redis).toBe('up');
    } finally {
      redis.destroy();
    }
  });
});
