import { createClient } from '@redis/client';
import { LocalCluster } from '../../tools/cluster/local-cluster';
import { DisposableRedis, waitFor } from '../helpers/processes';
import { TcpProxy } from '../helpers/tcp-proxy';
import { call } from './cluster-client';
import { replicaEnv, TEST_CHECKS } from './cluster-env';
import { noFailures, SteadyLoad } from './steady-load';

/** Rate-limit checks each replica counted in memory because Redis could not be used. */
async function fallbacks(cluster: LocalCluster): Promise<number> {
  let total = 0;
  for (const replica of cluster.replicas) {
    const metrics = await fetch(`${replica.url}/metrics`).then((r) => r.text());
    const line = /^nlp_rate_limit_fallback_total (\d+)/m.exec(metrics);
    total += line === null ? 0 : Number(line[1]);
  }
  return total;
}

/**
 * The replicas reach a Redis of this test's own through a proxy that can hang, with the
 * production budgets (CACHE_TIMEOUT_MS 50, RATE_LIMIT_TIMEOUT_MS 200): Redis killed and
 * restarted, then Redis taking commands and never answering, under steady load.
 */
describe('Redis outage across the cluster', () => {
  let redis: DisposableRedis;
  let proxy: TcpProxy;
  let cluster: LocalCluster;
  let load: SteadyLoad;

  const keysIn = async (pattern: string): Promise<number> => {
    const client = createClient({ url: redis.url, socket: { reconnectStrategy: false } });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.keys(pattern)).length;
    } catch {
      return 0; // not up yet
    } finally {
      if (client.isOpen) client.destroy();
    }
  };

  beforeAll(async () => {
    redis = await DisposableRedis.launch();
    proxy = await TcpProxy.start(redis.port);
    cluster = await LocalCluster.start({
      env: replicaEnv({
        REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
        // Counted in Redis, never refused: any refusal here would be a failure.
        RATE_LIMIT: '1000000',
        CACHE_TIMEOUT_MS: '50',
        RATE_LIMIT_TIMEOUT_MS: '200',
      }),
      checks: TEST_CHECKS,
    });
    load = new SteadyLoad(cluster.url, {
      clients: 16,
      body: (n) => ({ text: `outage load ${n % 300}` }),
    });
    await load.waitForMore(200);
    await waitFor(async () => (await keysIn('sift:rate-limit:*')) > 0, 'shared counters');
  }, 180_000);

  afterAll(async () => {
    await load?.stop();
    await cluster?.stop();
    proxy?.resume();
    await proxy?.close();
    await redis?.kill();
  });

  it('keeps serving while Redis is killed, and shares counters and cache again once it is back', async () => {
    const before = await fallbacks(cluster);
    await redis.kill();
    // Requests keep being answered with Redis gone; the limiter counts in memory meanwhile.
    await load.waitForMore(500);
    expect(await fallbacks(cluster)).toBeGreaterThan(before);

    await redis.start();
    // The new Redis is empty: counters and cache entries in it come from the reconnected replicas.
    await waitFor(async () => (await keysIn('sift:rate-limit:*')) > 0, 'counters in the new Redis');
    await waitFor(
      async () => (await keysIn('sift:spam-en:*')) > 0,
      'cache entries in the new Redis',
    );
    const health = await call(`${cluster.url}/health`, 'GET');
    expect(health.status).toBe(200);
    await load.waitForMore(200);
  }, 120_000);

  it('does not stall requests while Redis takes commands and never answers', async () => {
    proxy.hang();
    // Were any Redis call unbounded, requests would pile up behind it and this would not end.
    await load.waitForMore(1000);
    expect(proxy.hanging).toBe(true);
    expect(proxy.heldBytes).toBeGreaterThan(0);
    proxy.resume();
    await load.waitForMore(200);
  }, 120_000);

  it('failed no request meanwhile', async () => {
    const tally = await load.stop();
    expect(load.failureSamples()).toEqual([]);
    expect(noFailures(tally)).toBe(true);
    expect(tally.statuses[200]).toBe(tally.sent);
    console.log(`Redis killed, restarted, then hung under load: ${JSON.stringify(tally)}`);
  });
});
