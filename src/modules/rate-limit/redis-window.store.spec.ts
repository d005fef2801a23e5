import { createClient } from '@redis/client';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SiftRedisClient } from '../redis/redis-connection.service';
import { RedisWindowStore } from './redis-window.store';

/** A database of its own on the shared test Redis; keys are unique per run and removed after. */
const REDIS_URL = 'redis://127.0.0.1:6379/8';

describe(RedisWindowStore.name, () => {
  let client: SiftRedisClient;
  let sut: RedisWindowStore;
  const keys: string[] = [];
  const key = (): string => {
    const value = `spec-${randomUUID()}`;
    keys.push(value);
    return value;
  };

  beforeAll(async () => {
    client = createClient({ url: REDIS_URL });
    await client.connect();
    sut = new RedisWindowStore(client, 1000);
  });

  afterAll(async () => {
    const stored = keys.flatMap((k) => [
      `sift:rate-limit:{${k}}:hits`,
      `sift:rate-limit:{${k}}:block`,
    ]);
    if (stored.length > 0) await client.del(stored);
    await client.close();
  });

  it('counts hits in one window and refuses those over the limit until it ends', async () => {
    const k = key();
    const counts = [];
    for (let i = 0; i < 3; i++) counts.push(await sut.increment(k, 60_000, 2, 0));
    expect(counts.map((c) => [c.hits, c.blocked])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    const refused = counts[2];
    expect(refused.windowLeftMs).toBeGreaterThan(0);
    expect(refused.windowLeftMs).toBeLessThanOrEqual(60_000);
    expect(refused.blockLeftMs).toBe(refused.windowLeftMs);
  });

  it('sets the window once, on the first hit', async () => {
    const k = key();
    await sut.increment(k, 60_000, 5, 0);
    const ttl = await client.pTTL(`sift:rate-limit:{${k}}:hits`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('starts a fresh window after the old one expires', async () => {
    const k = key();
    await sut.increment(k, 50, 1, 0);
    await sut.increment(k, 50, 1, 0);
    await sleep(200);
    await expect(sut.increment(k, 50, 1, 0)).resolves.toMatchObject({ hits: 1, blocked: false });
  });

  it('repairs a counter that lost its expiry instead of refusing the client forever', async () => {
    const k = key();
    await client.set(`sift:rate-limit:{${k}}:hits`, '5');
    const count = await sut.increment(k, 60_000, 10, 0);
    expect(count).toMatchObject({ hits: 6, blocked: false });
    expect(await client.pTTL(`sift:rate-limit:{${k}}:hits`)).toBeGreaterThan(0);
  });

  it('blocks for the block duration without counting the refused hits', async () => {
    const k = key();
    await sut.increment(k, 60_000, 1, 30_000);
    const blocked = await sut.increment(k, 60_000, 1, 30_000);
    expect(blocked).toMatchObject({ blocked: true, blockLeftMs: 30_000 });
    const again = await sut.increment(k, 60_000, 1, 30_000);
    expect(again.blocked).toBe(true);
    expect(again.blockLeftMs).toBeLessThanOrEqual(30_000);
    expect(await client.exists(`sift:rate-limit:{${k}}:hits`)).toBe(0);
  });

  it('keeps one count for concurrent hits from many callers (atomic script)', async () => {
    const k = key();
    const counts = await Promise.all(
      Array.from({ length: 50 }, () => sut.increment(k, 60_000, 20, 0)),
    );
    expect(counts.map((c) => c.hits).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    expect(counts.filter((c) => !c.blocked)).toHaveLength(20);
  });

  it('loads the script when Redis does not know it (NOSCRIPT)', async () => {
    const calls: string[] = [];
    const recording = {
      sendCommand: (args: string[]) => {
        calls.push(args[0]);
        return args[0] === 'EVALSHA'
          ? Promise.reject(new Error('NOSCRIPT No matching script. Please use EVAL.'))
          : client.sendCommand(args);
      },
    } as unknown as SiftRedisClient;
    const count = await new RedisWindowStore(recording, 1000).increment(key(), 60_000, 5, 0);
    expect(count.hits).toBe(1);
    expect(calls).toEqual(['EVALSHA', 'EVAL']);
  });
});
