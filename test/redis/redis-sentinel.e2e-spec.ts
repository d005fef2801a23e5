import { startTestApp, type TestApp } from '../helpers/test-app';
import { classify, keyOf, waitForRedisUp } from '../cache/redis-test-support';
import { killAll, PATIENCE_MS, type RedisProcess, Scratch, waitFor } from './redis-processes';
import { info, sentinelEnv, startSentinels, type SentinelSet } from './redis-topologies';

interface RedisHealth {
  readonly checks: { readonly redis: { readonly mode: string; readonly masters: string[] } };
}

/** A fresh connection each time: a sentinel disconnects the clients of a promoted replica. */
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
 * The sentinels' timeouts, stated here so that no case depends on their defaults: a master
 * silent for 1 s is down (a killed one, and a hung one too), and a failover that stalls is
 * retried after 10 s. The 30 s the cases allow for Sift to write to the promoted replica is
 * the issue's bound, well above both.
 */
const FAILOVER = { downAfterMs: 1000, failoverTimeoutMs: 10_000 };
const PROMOTED_WITHIN_MS = 30_000;

/**
 * A master and a replica watched by three sentinels, all started by the spec: when the master
 * is killed or hangs under load, no request fails, and Sift follows the sentinels to the
 * promoted replica and writes there. Each case gets a set of its own, since a failover uses
 * one up.
 */
describe('Redis behind Sentinel (REDIS_SENTINELS)', () => {
  const scratches: Scratch[] = [];
  const sets: SentinelSet[] = [];
  const apps: TestApp[] = [];
  const loads: SteadyTraffic[] = [];

  async function start(): Promise<[TestApp, SentinelSet]> {
    const scratch = new Scratch();
    scratches.push(scratch);
    const set = await startSentinels(scratch, FAILOVER);
    sets.push(set);
    const sut = await startTestApp({
      ...sentinelEnv(set),
      // No memory tier: every request reads Redis.
      CACHE_MEMORY_ITEMS: '0',
      CACHE_TIMEOUT_MS: '200',
    });
    apps.push(sut);
    // The sentinels, then the master they name.
    await waitForRedisUp(sut, PATIENCE_MS);
    return [sut, set];
  }

  /** Steady load until a write made after `outage` reaches the replica, then the statuses. */
  async function loadThrough(
    app: TestApp,
    { master, replica }: SentinelSet,
    outage: (master: RedisProcess) => Promise<void> | void,
  ): Promise<number[]> {
    const health = (await app.inject({ method: 'GET', url: '/health' })).json<RedisHealth>();
    expect(health.checks.redis).toMatchObject({
      mode: 'sentinel',
      masters: [`127.0.0.1:${master.port}`],
    });
    const load = new SteadyTraffic(app);
    loads.push(load);
    await waitFor(() => load.statuses.length >= 50, 'traffic to be flowing', PATIENCE_MS);

    await outage(master);
    let n = 0;
    // The failover itself (detection, election, promotion) and Sift following it.
    await waitFor(
      async () => {
        const text = `sentinel after failover ${n++}`;
        await classify(app, text);
        return keyExists(replica, keyOf(app, text));
      },
      'a write to reach the promoted replica',
      PROMOTED_WITHIN_MS,
    );
    return load.stop();
  }

  async function expectPromoted(app: TestApp, { replica }: SentinelSet): Promise<void> {
    expect(await info(replica, 'replication')).toContain('role:master');
    const after = (await app.inject({ method: 'GET', url: '/health' })).json<RedisHealth>();
    expect(after.checks.redis.masters).toEqual([`127.0.0.1:${replica.port}`]);
  }

  afterAll(async () => {
    await Promise.allSettled(loads.map((load) => load.stop()));
    // Closing gives up on replies a hung master owes (see RedisConnection), then the kills.
    await Promise.allSettled(apps.map((app) => app.close()));
    await killAll(sets.flatMap((set) => [set.master, set.replica, ...set.sentinels]));
    for (const scratch of scratches) scratch.dispose();
  });

  it('fails no request when the master is killed, and writes to the promoted replica', async () => {
    const [app, set] = await start();

    const statuses = await loadThrough(app, set, (master) => master.kill());

    expect(statuses.length).toBeGreaterThan(50);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    await expectPromoted(app, set);
  }, 120_000);

  it('fails no request when the master hangs (SIGSTOP), and writes to the promoted replica', async () => {
    const [app, set] = await start();

    // The hung master keeps its sockets open: only the sentinels' silence timer and Sift's
    // command budget notice it.
    const statuses = await loadThrough(app, set, (master) => master.pause());

    expect(statuses.length).toBeGreaterThan(50);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    await expectPromoted(app, set);
  }, 120_000);
});
