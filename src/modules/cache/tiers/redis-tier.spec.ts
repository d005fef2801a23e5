import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { loadConfig } from '../../../config';
import { RedisConnection, type NodeClient } from '../../redis/redis-connection.service';
import { RedisTier } from './redis-tier';
import { CacheTierUnavailableError } from './tier-errors';

/** A Redis database of the shared test server that no other spec file uses. */
const REDIS_URL = 'redis://127.0.0.1:6379/14';

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  if (!condition()) throw new Error('condition not met in time');
}

describe(RedisTier.name, () => {
  let connection: RedisConnection;
  let client: NodeClient;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    connection = new RedisConnection(loadConfig({ REDIS_URL }));
    connection.onModuleInit();
    await waitUntil(() => connection.isUp());
    client = connection.backend!.client as NodeClient;
  });

  beforeEach(async () => {
    await client.flushDb();
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    await client.flushDb();
    await connection.onApplicationShutdown();
  });

  /** Makes the client report a lost socket, as it does between reconnect attempts. */
  function disconnect(): void {
    jest.spyOn(client as { readonly isReady: boolean }, 'isReady', 'get').mockReturnValue(false);
  }

  function tier(on: RedisConnection = connection): RedisTier {
    return new RedisTier(on, on.backend!, { timeoutMs: 200 });
  }

  it('writes entries with their TTL in Redis and reads them back in one MGET', async () => {
    const sut = tier();
    const mget = jest.spyOn(client, 'mGet');
    await expect(
      sut.setMany([
        {
          key: 'sift:m:v:a',
          value: { probabilities: [0.5, 0.5], truncated: false },
          ttlMs: 60_000,
        },
        { key: 'sift:m:v:b', value: { probabilities: [0.1, 0.9], truncated: true }, ttlMs: 60_000 },
      ]),
    ).resolves.toEqual({ outcome: 'ok', value: undefined });

    const read = await sut.getMany(['sift:m:v:a', 'sift:m:v:missing', 'sift:m:v:b']);

    expect(mget).toHaveBeenCalledTimes(1);
    expect(read.outcome).toBe('ok');
    const hits = read.outcome === 'ok' ? read.value : [];
    expect(hits.map((hit) => hit?.value)).toEqual([
      { probabilities: [0.5, 0.5], truncated: false },
      undefined,
      { probabilities: [0.1, 0.9], truncated: true },
    ]);
    expect(hits[0]?.ttlMs).toBeGreaterThan(0);
    expect(hits[0]?.ttlMs).toBeLessThanOrEqual(60_000);
    const pttl = await client.pTTL('sift:m:v:a');
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(60_000);
  });

  it('skips Redis without a command while the connection is down', async () => {
    const sut = tier();
    disconnect();
    const mget = jest.spyOn(client, 'mGet');
    await expect(sut.getMany(['k'])).resolves.toEqual({ outcome: 'skipped' });
    expect(mget).not.toHaveBeenCalled();
    expect(sut.availability()).toBe('down');
  });

  it('turns a command that hangs into an error after the timeout', async () => {
    const sut = tier();
    jest.spyOn(client, 'mGet').mockReturnValue(new Promise<never>(() => undefined));
    const read = await sut.getMany(['k']);
    expect(read).toMatchObject({ outcome: 'error', error: { name: 'RedisTimeoutError' } });
  });

  it('stops asking Redis after consecutive failures, and the connection then says Redis is down', async () => {
    // A connection of its own: the open breaker must not leak into the other cases.
    const own = new RedisConnection(loadConfig({ REDIS_URL }));
    own.onModuleInit();
    try {
      await waitUntil(() => own.isUp());
      const sut = tier(own);
      const mget = jest
        .spyOn(own.backend!.client as NodeClient, 'mGet')
        .mockRejectedValue(new Error('LOADING'));
      for (let i = 0; i < 5; i++) expect((await sut.getMany(['k'])).outcome).toBe('error');
      expect(await sut.getMany(['k'])).toEqual({ outcome: 'skipped' });
      expect(mget).toHaveBeenCalledTimes(5);
      expect(sut.availability()).toBe('down');
      expect(own.state()).toBe('down');
      expect((own.backend!.client as NodeClient).isReady).toBe(true);
    } finally {
      await own.onApplicationShutdown();
    }
  });

  it('deletes keys under a prefix with SCAN and UNLINK, leaving the rest', async () => {
    const sut = tier();
    const unlink = jest.spyOn(client, 'unlink');
    const digest = (i: number): string => i.toString(16).padStart(64, '0');
    const keep = [
      `sift:m:v2:${digest(0)}`,
      `sift:m2:v:${digest(0)}`,
      'sift:m:v:{not-ours}:hits',
      'other',
    ];
    const drop = Array.from({ length: 1200 }, (_, i) => `sift:m:v:${digest(i)}`);
    const fill = client.multi();
    for (const key of [...keep, ...drop]) fill.set(key, '1');
    await fill.exec();

    await expect(sut.deleteByPrefix('sift:m:v:')).resolves.toBe(1200);

    expect(await client.dbSize()).toBe(keep.length);
    expect(await client.exists(keep)).toBe(keep.length);
    for (const [keys] of unlink.mock.calls)
      expect((keys as string[]).length).toBeLessThanOrEqual(500);
  });

  it('refuses to invalidate while Redis is down instead of reporting nothing deleted', async () => {
    const sut = tier();
    disconnect();
    await expect(sut.deleteByPrefix('sift:m:')).rejects.toBeInstanceOf(CacheTierUnavailableError);
  });
});
