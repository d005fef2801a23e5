import { LocalCluster } from '../../tools/cluster/local-cluster';
import { DisposableRedis } from '../helpers/processes';
import { replicaEnv, TEST_CHECKS } from './cluster-env';
import { noFailures, SteadyLoad } from './steady-load';

const LIMIT = 100;

describe('one rate limit for the whole cluster', () => {
  let redis: DisposableRedis;
  let cluster: LocalCluster;

  beforeAll(async () => {
    redis = await DisposableRedis.launch();
    cluster = await LocalCluster.start({
      env: replicaEnv({
        REDIS_URL: redis.url,
        RATE_LIMIT: String(LIMIT),
        // Longer than the test: every request falls in the client's first window.
        RATE_LIMIT_WINDOW_SECONDS: '3600',
      }),
      checks: TEST_CHECKS,
    });
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
    await redis?.kill();
  });

  it(`accepts RATE_LIMIT=${LIMIT} requests in a window from a client spread over 3 replicas, no more`, async () => {
    // Every request reaches the replicas from HAProxy's address: one client, round-robin.
    const load = new SteadyLoad(cluster.url, {
      clients: 16,
      body: (n) => ({ text: `rate limit ${n}` }),
    });
    await load.waitForMore(LIMIT * 4);
    const tally = await load.stop();

    expect(noFailures(tally)).toBe(true);
    // Slack 0 while Redis answers: one atomic script counts every replica's hits.
    expect(tally.statuses[200]).toBe(LIMIT);
    expect(tally.statuses[429]).toBe(tally.sent - LIMIT);
    const stats = await cluster.serverStats();
    for (const replica of cluster.replicas) {
      expect(Number(stats[replica.name].hrsp_2xx)).toBeGreaterThan(0);
    }
    console.log(
      `rate limit ${LIMIT} across 3 replicas: ${JSON.stringify(tally.statuses)} of ${tally.sent}; ` +
        `2xx per replica ${cluster.replicas.map((r) => stats[r.name].hrsp_2xx).join('/')}`,
    );
  }, 120_000);
});
