import { createClient } from '@redis/client';
import { waitFor } from '../helpers/processes';
import { LocalCluster } from '../../tools/cluster/local-cluster';
import { call, classifyCached } from './cluster-client';
import { replicaEnv, TEST_CHECKS } from './cluster-env';
import { noFailures, SteadyLoad } from './steady-load';

/** This file's own database on the shared test Redis; only it is ever flushed. */
const REDIS_URL = 'redis://127.0.0.1:6379/13';
const ADMIN_API_KEY = 'cluster-admin-key-for-tests-0123456789';
const ADMIN = { 'x-api-key': ADMIN_API_KEY };

describe('DELETE /cache across the cluster', () => {
  let cluster: LocalCluster;
  let redis: ReturnType<typeof createClient>;
  let load: SteadyLoad;
  const latenciesMs: number[] = [];

  /** Classifies `text` on `url` until the answer comes from the cache (the memory tier has it). */
  const warm = (url: string, text: string): Promise<void> =>
    waitFor(() => classifyCached(url, text), `${text} to be cached on ${url}`);

  const invalidate = async (url: string): Promise<number> => {
    const started = performance.now();
    const answer = await call(`${url}/cache?model=spam-en`, 'DELETE', undefined, ADMIN);
    latenciesMs.push(performance.now() - started);
    if (answer.status !== 200)
      throw new Error(`DELETE /cache: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.status;
  };

  beforeAll(async () => {
    redis = createClient({ url: REDIS_URL });
    await redis.connect();
    await redis.flushDb();
    cluster = await LocalCluster.start({
      env: replicaEnv({ REDIS_URL, ADMIN_API_KEY, CACHE_INVALIDATION_TIMEOUT_MS: '10000' }),
      checks: TEST_CHECKS,
    });
    load = new SteadyLoad(cluster.url, {
      clients: 8,
      body: (n) => ({ text: `invalidation load ${n % 100}` }),
    });
    await load.waitForMore(100);
  }, 180_000);

  afterAll(async () => {
    await load?.stop();
    await cluster?.stop();
    if (redis?.isOpen) {
      await redis.flushDb();
      redis.destroy();
    }
    console.log(
      `DELETE /cache across 3 replicas, ms: ${latenciesMs.map((ms) => ms.toFixed(1)).join(', ')}`,
    );
  });

  it("clears every replica's memory tier before it returns", async () => {
    const texts = cluster.replicas.map((replica) => `held in ${replica.name}'s memory only`);
    for (const [index, replica] of cluster.replicas.entries())
      await warm(replica.url, texts[index]);
    // With Redis emptied, a cached answer can only come from the replica's own memory.
    await redis.flushDb();
    for (const [index, replica] of cluster.replicas.entries()) {
      expect(await classifyCached(replica.url, texts[index])).toBe(true);
    }

    expect(await invalidate(cluster.replicas[1].url)).toBe(200);

    for (const [index, replica] of cluster.replicas.entries()) {
      expect(await classifyCached(replica.url, texts[index])).toBe(false);
    }
  });

  it('reaches every replica whichever one the balancer picks, call after call', async () => {
    for (let round = 0; round < 5; round++) {
      const texts = cluster.replicas.map((replica) => `round ${round} on ${replica.name}`);
      for (const [index, replica] of cluster.replicas.entries()) {
        await warm(replica.url, texts[index]);
      }
      expect(await invalidate(cluster.url)).toBe(200);
      for (const [index, replica] of cluster.replicas.entries()) {
        expect(await classifyCached(replica.url, texts[index])).toBe(false);
      }
    }
  });

  it('leaves a replica that was down during the call with nothing stale when it returns', async () => {
    const returning = cluster.replicas[2];
    const text = `held by ${returning.name} before it stopped`;
    await warm(returning.url, text);
    expect(await cluster.drain(returning)).toBe(0);

    expect(await invalidate(cluster.replicas[0].url)).toBe(200);

    await returning.start();
    await cluster.waitForState(returning, 'UP');
    expect(await classifyCached(returning.url, text)).toBe(false);
  });

  it('served the steady load meanwhile without a failure', async () => {
    const tally = await load.stop();
    expect(load.failureSamples()).toEqual([]);
    expect(noFailures(tally)).toBe(true);
  });
});
