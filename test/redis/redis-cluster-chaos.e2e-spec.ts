import { RedisConnection } from '../../src/modules/redis/redis-connection.service';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { classify, waitForRedisUp } from '../cache/redis-test-support';
import { killAll, type RedisProcess, Scratch, waitFor } from './redis-processes';
import { startCluster } from './redis-topologies';

/** Sends `total` requests, `concurrency` at a time, each text new, recording each status. */
async function traffic(sut: TestApp, total: number, statuses: number[]): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const response = await classify(sut, `cluster chaos ${next++}: the invoice is attached`);
      statuses.push(response.statusCode);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/**
 * The outage cases of test/cache (Redis killed, Redis hung) against a three-master cluster:
 * losing one master must cost the shared tier, never a request, and RedisConnection must say so.
 * Each case gets a cluster of its own, since neither leaves a usable one behind.
 */
describe('Redis Cluster outages', () => {
  const scratch = new Scratch();
  const nodes: RedisProcess[] = [];
  const apps: TestApp[] = [];

  async function start(env: Record<string, string> = {}): Promise<[TestApp, RedisProcess[]]> {
    const cluster = await startCluster(scratch);
    nodes.push(...cluster);
    const sut = await startTestApp({
      REDIS_CLUSTER_NODES: `127.0.0.1:${cluster[0].port}`,
      CACHE_MEMORY_ITEMS: '0',
      ...env,
    });
    apps.push(sut);
    await waitForRedisUp(sut);
    return [sut, cluster];
  }

  afterAll(async () => {
    await Promise.allSettled(apps.map((app) => app.close()));
    await killAll(nodes);
    scratch.dispose();
  });

  it('fails no request when a master dies mid-traffic, and reports Redis down', async () => {
    const [sut, cluster] = await start();
    const statuses: number[] = [];
    const running = traffic(sut, 300, statuses);
    await waitFor(() => statuses.length >= 60, 'traffic to be flowing');
    await cluster[1].kill();
    await running;

    expect(statuses).toHaveLength(300);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    await waitFor(
      () => sut.app.get(RedisConnection).state() === 'down',
      'Redis to be reported down',
    );
  }, 120_000);

  it('fails no request when a master stops answering, and the breaker reports Redis down', async () => {
    const [sut, cluster] = await start({ CACHE_TIMEOUT_MS: '100' });
    const admin = await cluster[2].connect();
    try {
      await admin.sendCommand(['CLIENT', 'PAUSE', '600000', 'ALL']);
      const statuses: number[] = [];
      const connection = sut.app.get(RedisConnection);
      // Requests whose keys live on the paused master time out; enough of them open the breaker.
      for (let round = 0; round < 20 && connection.state() !== 'down'; round++) {
        await traffic(sut, 16, statuses);
      }

      expect(connection.state()).toBe('down');
      expect(statuses.filter((status) => status !== 200)).toEqual([]);
      const health = (await sut.inject({ method: 'GET', url: '/health' })).json<{
        redis: string;
      }>();
      expect(health.redis).toBe('down');
    } finally {
      // The paused server owes replies it will never send: give up on them.
      admin.destroy();
    }
  }, 120_000);
});
