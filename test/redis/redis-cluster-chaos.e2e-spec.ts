import { predictionKey } from '../../src/modules/cache/prediction-key';
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

type Admin = Awaited<ReturnType<RedisProcess['connect']>>;

/**
 * `count` texts whose cache keys live on the node `admin` talks to. A request for one of them
 * sends every Redis command to that node alone, so with the node paused each request is one
 * more failure in a row for the breaker, whatever the other masters do.
 */
async function textsOnNode(admin: Admin, sut: TestApp, count: number): Promise<string[]> {
  const nodes = await admin.sendCommand(['CLUSTER', 'NODES']);
  if (typeof nodes !== 'string') throw new Error('CLUSTER NODES did not answer text');
  const mine = nodes.split('\n').find((line) => line.includes('myself')) ?? '';
  const ranges = mine
    .split(' ')
    .slice(8)
    .map((range) => range.split('-').map(Number));
  const owns = (slot: number) => ranges.some(([from, to]) => slot >= from && slot <= (to ?? from));
  const model = sut.inference.resolveModel();
  const texts: string[] = [];
  for (let i = 0; texts.length < count; i++) {
    const text = `cluster chaos ${i}: the invoice is attached`;
    const key = predictionKey(model, text);
    if (owns(Number(await admin.sendCommand(['CLUSTER', 'KEYSLOT', key])))) texts.push(text);
  }
  return texts;
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
      const texts = await textsOnNode(admin, sut, 8);
      await admin.sendCommand(['CLIENT', 'PAUSE', '600000', 'ALL']);
      const connection = sut.app.get(RedisConnection);
      // One at a time, each request's lookup times out on the paused master: a failure in a row.
      const statuses: number[] = [];
      for (const text of texts) statuses.push((await classify(sut, text)).statusCode);

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
