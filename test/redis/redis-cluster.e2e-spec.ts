import { isPredictionKey } from '../../src/modules/cache/prediction-key';
import { RedisConnection } from '../../src/modules/redis/redis-connection.service';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { classify } from '../cache/redis-test-support';
import { killAll, PATIENCE_MS, type RedisProcess, Scratch, waitFor } from './redis-processes';
import { startCluster } from './redis-topologies';

const ADMIN_API_KEY = 'cluster-admin-key-0123456789';
const LIMIT = 10;

/** Prediction keys held by one master. */
async function predictionKeysOn(node: RedisProcess): Promise<number> {
  const client = await node.connect();
  try {
    const keys: string[] = [];
    for await (const page of client.scanIterator({ MATCH: 'sift:*', COUNT: 500 })) {
      keys.push(...page);
    }
    return keys.filter(isPredictionKey).length;
  } finally {
    client.destroy();
  }
}

/**
 * A Redis Cluster of three masters, started by the spec: the rate-limit script, cache reads and
 * writes, invalidation on every master and the invalidation channel (sharded pub/sub) must all
 * work when keys are spread over slots.
 */
describe('Redis Cluster (REDIS_CLUSTER_NODES)', () => {
  const scratch = new Scratch();
  let nodes: RedisProcess[] = [];
  const apps: TestApp[] = [];

  async function startPair(env: Record<string, string>): Promise<[TestApp, TestApp]> {
    const pair = await Promise.all([startTestApp(env), startTestApp(env)]);
    apps.push(...pair);
    await waitFor(
      () => pair.every((app) => app.app.get(RedisConnection).isUp()),
      'both instances to reach the cluster',
      PATIENCE_MS,
    );
    return pair;
  }

  beforeAll(async () => {
    nodes = await startCluster(scratch);
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(apps.map((app) => app.close()));
    await killAll(nodes);
    scratch.dispose();
  });

  it(`accepts exactly RATE_LIMIT=${LIMIT} requests from one client across two instances`, async () => {
    const [first, second] = await startPair({
      REDIS_CLUSTER_NODES: `127.0.0.1:${nodes[0].port}`,
      RATE_LIMIT: String(LIMIT),
      RATE_LIMIT_WINDOW_SECONDS: '3600',
      // The cache case below counts every prediction key in the cluster.
      CACHE_ENABLED: 'false',
    });

    const responses = await Promise.all(
      Array.from({ length: LIMIT * 3 }, (_, i) =>
        classify(i % 2 === 0 ? first : second, `cluster rate limit ${i}`),
      ),
    );
    const statuses = responses.map((response) => response.statusCode);

    expect(statuses.filter((status) => status === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(LIMIT * 2);
  });

  it('shares cache entries between instances and clears them on every master', async () => {
    const [first, second] = await startPair({
      REDIS_CLUSTER_NODES: nodes.map((node) => `127.0.0.1:${node.port}`).join(','),
      CACHE_MEMORY_ITEMS: '100',
      ADMIN_API_KEY,
    });
    const health = (await first.inject({ method: 'GET', url: '/health' })).json<{
      checks: { redis: { mode: string; masters: string[] } };
    }>();
    expect(health.checks.redis.mode).toBe('cluster');
    expect(health.checks.redis.masters).toHaveLength(3);
    // Enough keys that every master holds some (slots are split evenly between them).
    const texts = Array.from({ length: 60 }, (_, i) => `cluster cache ${i}: lunch at noon?`);
    const written = await first.inject({
      method: 'POST',
      url: '/classify/batch',
      payload: { texts },
    });
    expect(written.statusCode).toBe(200);
    await waitFor(
      async () => (await Promise.all(nodes.map(predictionKeysOn))).every((count) => count > 0),
      'entries on every master',
    );
    let total = 0;
    await waitFor(async () => {
      total = (await Promise.all(nodes.map(predictionKeysOn))).reduce((a, b) => a + b, 0);
      return total === 60;
    }, 'all 60 entries in the cluster').catch((error: Error) => {
      throw new Error(`${error.message} (${total} there)`);
    });

    const fromSecond = await classify(second, texts[0]);
    expect(fromSecond.json().cached).toBe(true);
    // The second instance now holds it in memory too: invalidation must reach it (pub/sub).
    expect((await classify(second, texts[0])).json().cached).toBe(true);

    const cleared = await second.inject({
      method: 'DELETE',
      url: '/cache?model=spam-en',
      headers: { 'x-api-key': ADMIN_API_KEY },
    });

    expect(cleared.statusCode).toBe(200);
    expect(cleared.json().deleted.redis).toBe(60);
    expect(await Promise.all(nodes.map(predictionKeysOn))).toEqual([0, 0, 0]);
    expect((await classify(second, texts[0])).json().cached).toBe(false);
    expect((await classify(first, texts[1])).json().cached).toBe(false);
  });
});
