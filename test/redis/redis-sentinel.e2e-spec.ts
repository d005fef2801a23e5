import { startTestApp, type TestApp } from '../helpers/test-app';
import { classify, keyOf, waitForRedisUp } from '../cache/redis-test-support';
import { killAll, type RedisProcess, Scratch, waitFor } from './redis-processes';
import { info, SENTINEL_MASTER, startSentinels, type SentinelSet } from './redis-topologies';

interface RedisHealth {
  readonly checks: { readonly redis: { readonly mode: string; readonly masters: string[] } };
}

async function keyExists(node: RedisProcess, key: string): Promise<boolean> {
  try {
    const client = await node.connect();
    try {
      return (await client.exists(key)) === 1;
    } finally {
      client.destroy();
    }
  } catch {
    return false; // refused while the sentinels reconfigure it
  }
}

/** Requests one after the other, each with a new text (so each writes), until stopped. */
class SteadyTraffic {
  readonly statuses: number[] = [];
  private stopped = false;
  private readonly running: Promise<void>;

  constructor(private readonly sut: TestApp) {
    this.running = this.loop();
  }

  async stop(): Promise<number[]> {
    this.stopped = true;
    await this.running;
    return this.statuses;
  }

  private async loop(): Promise<void> {
    for (let n = 0; !this.stopped; n++) {
      const response = await classify(this.sut, `sentinel steady load ${n}: see you at nine`);
      this.statuses.push(response.statusCode);
    }
  }
}

/**
 * A master and a replica watched by three sentinels, all started by the spec: when the master
 * is killed under load, no request fails, and Sift follows the sentinels to the promoted
 * replica and writes there.
 */
describe('Redis behind Sentinel (REDIS_SENTINELS)', () => {
  const scratch = new Scratch();
  let set: SentinelSet | undefined;
  let sut: TestApp | undefined;
  let traffic: SteadyTraffic | undefined;

  beforeAll(async () => {
    set = await startSentinels(scratch);
    sut = await startTestApp({
      REDIS_SENTINELS: set.sentinels.map((sentinel) => `127.0.0.1:${sentinel.port}`).join(','),
      REDIS_SENTINEL_MASTER: SENTINEL_MASTER,
      // No memory tier: every request reads Redis.
      CACHE_MEMORY_ITEMS: '0',
      CACHE_TIMEOUT_MS: '200',
    });
    await waitForRedisUp(sut);
  }, 120_000);

  afterAll(async () => {
    await traffic?.stop();
    await sut?.close();
    await killAll(set === undefined ? [] : [set.master, set.replica, ...set.sentinels]);
    scratch.dispose();
  });

  it('fails no request when the master is killed, and writes to the promoted replica', async () => {
    const app = sut!;
    const { master, replica } = set!;
    const health = (await app.inject({ method: 'GET', url: '/health' })).json<RedisHealth>();
    expect(health.checks.redis).toMatchObject({
      mode: 'sentinel',
      masters: [`127.0.0.1:${master.port}`],
    });
    const load = new SteadyTraffic(app);
    traffic = load;
    await waitFor(() => load.statuses.length >= 50, 'traffic to be flowing');

    await master.kill();
    let n = 0;
    // The failover itself (detection after 1 s, election, promotion) and Sift following it.
    // A fresh connection each time: a sentinel disconnects the clients of a promoted replica.
    await waitFor(
      async () => {
        const text = `sentinel after failover ${n++}`;
        await classify(app, text);
        return keyExists(replica, keyOf(app, text));
      },
      'a write to reach the promoted replica',
      30_000,
    );
    const statuses = await load.stop();

    expect(await info(replica, 'replication')).toContain('role:master');
    expect(statuses.length).toBeGreaterThan(50);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    const after = (await app.inject({ method: 'GET', url: '/health' })).json<RedisHealth>();
    expect(after.checks.redis.masters).toEqual([`127.0.0.1:${replica.port}`]);
  }, 90_000);
});
