import { RedisConnection } from '../../src/modules/redis/redis-connection.service';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { classify, keyOf } from '../cache/redis-test-support';
import { killAll, PATIENCE_MS, Scratch, waitFor } from './redis-processes';
import { sentinelEnv, startSentinels, type SentinelSet } from './redis-topologies';

const LIMIT = 10;

/**
 * No case here fails over: a master would have to be silent for ten minutes, longer than the
 * spec runs. The failovers are in redis-sentinel.e2e-spec.ts.
 */
const NO_FAILOVER = { downAfterMs: 600_000, failoverTimeoutMs: 600_000 };

/**
 * Two Sift instances that find the master through the same three sentinels share what a
 * single Redis gives them: one rate limit per client, and one cache.
 */
describe('two instances behind the same sentinels', () => {
  const scratch = new Scratch();
  let set: SentinelSet | undefined;
  const apps: TestApp[] = [];

  async function startPair(env: Record<string, string>): Promise<[TestApp, TestApp]> {
    const pair = await Promise.all([
      startTestApp({ ...sentinelEnv(set!), ...env }),
      startTestApp({ ...sentinelEnv(set!), ...env }),
    ]);
    apps.push(...pair);
    // The connection, not the cache tier: the rate-limit case runs without a cache.
    await waitFor(
      () => pair.every((app) => app.app.get(RedisConnection).isUp()),
      'both instances to reach the master',
      PATIENCE_MS,
    );
    return pair;
  }

  beforeAll(async () => {
    set = await startSentinels(scratch, NO_FAILOVER);
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled(apps.map((app) => app.close()));
    await killAll(set === undefined ? [] : [set.master, set.replica, ...set.sentinels]);
    scratch.dispose();
  });

  it(`accepts exactly RATE_LIMIT=${LIMIT} requests from one client across two instances`, async () => {
    const [first, second] = await startPair({
      RATE_LIMIT: String(LIMIT),
      RATE_LIMIT_WINDOW_SECONDS: '3600',
      CACHE_ENABLED: 'false',
    });

    const responses = await Promise.all(
      Array.from({ length: LIMIT * 3 }, (_, i) =>
        classify(i % 2 === 0 ? first : second, `sentinel rate limit ${i}`),
      ),
    );
    const statuses = responses.map((response) => response.statusCode);

    expect(statuses.filter((status) => status === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(LIMIT * 2);
  });

  it('answers from the cache entry the other instance wrote', async () => {
    // No memory tier: the second instance can only have the answer from Redis.
    const [first, second] = await startPair({ CACHE_MEMORY_ITEMS: '0' });
    const text = 'sentinel shared cache: the quarterly report is attached.';

    expect((await classify(first, text)).json().cached).toBe(false);
    const admin = await set!.master.connect();
    try {
      await waitFor(
        async () => (await admin.exists(keyOf(first, text))) === 1,
        'the write',
        PATIENCE_MS,
      );
    } finally {
      admin.destroy();
    }
    const fromSecond = await classify(second, text);

    expect(fromSecond.statusCode).toBe(200);
    expect(fromSecond.json().cached).toBe(true);
  });
});
