import { RedisConnection } from '../../src/modules/redis/redis-connection.service';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { classify, waitForRedisUp } from '../cache/redis-test-support';
import { PATIENCE_MS, waitFor } from './redis-processes';
import { REDIS_MODES, startRedisIn, type RedisUnderTest } from './redis-modes';

/** Sends `total` requests, 8 at a time, each text new, recording each status. */
async function traffic(sut: TestApp, total: number, statuses: number[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const response = await classify(sut, `outage ${next++}: the invoice is attached`);
      statuses.push(response.statusCode);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function reportedRedis(sut: TestApp): Promise<string> {
  const health = await sut.inject({ method: 'GET', url: '/health' });
  return health.json<{ redis: string }>().redis;
}

/**
 * The outage cases of test/cache (Redis killed, Redis hung) in every mode Sift reaches Redis:
 * losing the server that holds the keys must cost the shared tier, never a request, and
 * RedisConnection must say so. The sentinels here never fail over (see redis-modes.ts);
 * redis-sentinel.e2e-spec.ts has the failovers. Each case gets servers of its own, since
 * neither leaves a usable one behind.
 */
describe.each(REDIS_MODES)('Redis outages in %s mode', (mode) => {
  const started: RedisUnderTest[] = [];
  const apps: TestApp[] = [];

  async function start(env: Record<string, string> = {}): Promise<[TestApp, RedisUnderTest]> {
    const redis = await startRedisIn(mode);
    started.push(redis);
    // No memory tier: every request asks Redis.
    const sut = await startTestApp({ ...redis.env, CACHE_MEMORY_ITEMS: '0', ...env });
    apps.push(sut);
    // Sentinels, or three cluster masters, to reach first.
    await waitForRedisUp(sut, PATIENCE_MS);
    return [sut, redis];
  }

  afterAll(async () => {
    // Closing gives up on replies a hung server owes (see RedisConnection), then the kill.
    await Promise.allSettled(apps.map((app) => app.close()));
    await Promise.allSettled(started.map((redis) => redis.stop()));
  });

  it('fails no request when the server dies mid-traffic, and reports Redis down', async () => {
    const [sut, redis] = await start();
    const statuses: number[] = [];
    const running = traffic(sut, 300, statuses);
    await waitFor(() => statuses.length >= 60, 'traffic to be flowing', PATIENCE_MS);
    await redis.victim.kill();
    await running;

    expect(statuses).toHaveLength(300);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    await waitFor(
      () => sut.app.get(RedisConnection).state() === 'down',
      'Redis to be reported down',
      PATIENCE_MS,
    );
    expect(await reportedRedis(sut)).toBe('down');
  }, 180_000);

  it('fails no request when the server hangs (SIGSTOP), and the breaker reports Redis down', async () => {
    // A short budget, so each lookup on the hung server fails fast.
    const [sut, redis] = await start({ CACHE_TIMEOUT_MS: '100' });
    const texts = await redis.textsOnVictim(sut, 'hung', 20);
    redis.victim.pause();
    const statuses: number[] = [];
    let n = 0;
    // Each request after a failure either skips Redis (breaker open) or probes it and fails
    // again, so "down" holds right after a request, however slow the machine.
    await waitFor(
      async () => {
        statuses.push((await classify(sut, texts[n++ % texts.length])).statusCode);
        return (await reportedRedis(sut)) === 'down';
      },
      'the breaker to report Redis down',
      PATIENCE_MS,
    );

    expect(statuses.filter((status) => status !== 200)).toEqual([]);
  }, 180_000);
});
