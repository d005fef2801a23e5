import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DisposableRedis } from '../../../test/helpers/processes';
import { createClient } from '@redis/client';
import { SIFT_SCRIPTS } from '../redis/redis-scripts';

import { hitsKey, RedisWindowStore } from './redis-window.store';

/** A client that runs Sift's scripts by name, as the application's does. */ const createScriptedClient =
  (options: { url: string }) => createClient({ ...options, scripts: SIFT_SCRIPTS });
type ScriptedRedisClient = ReturnType<typeof createScriptedClient>;

/** A database of its own on the shared test Redis; keys are unique per run and removed after. */
const REDIS_URL = 'redis://127.0.0.1:6379/8';

describe(RedisWindowStore.name, () => {
  let client: ScriptedRedisClient;
  let sut: RedisWindowStore;
  const keys: string[] = [];
  const key = (): string => {
    const value = `spec-${randomUUID()}`;
    keys.push(value);
    return value;
  };

  beforeAll(async () => {
    client = createScriptedClient({ url: REDIS_URL });
    await client.connect();
    sut = new RedisWindowStore(client);
  });

  afterAll(async () => {
    const stored = keys.map(hitsKey);
    if (stored.length > 0) await client.del(stored);
    await client.close();
  });

  it('counts hits in one window and says how long it has left', async () => {
    const k = key();
    const counts = [];
    for (let i = 0; i < 3; i++) counts.push(await sut.increment(k, 60_000));
    expect(counts.map((c) => c.hits)).toEqual([1, 2, 3]);
    expect(counts[2].windowLeftMs).toBeGreaterThan(0);
    expect(counts[2].windowLeftMs).toBeLessThanOrEqual(60_000);
  });

  it('counts a request that costs several hits as that many, and starts the window with it', async () => {
    const k = key();
    await expect(sut.increment(k, 60_000, 5)).resolves.toMatchObject({ hits: 5 });
    const ttl = await client.pTTL(hitsKey(k));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    await expect(sut.increment(k, 60_000)).resolves.toMatchObject({ hits: 6 });
  });

  it('sets the window once, on the first hit', async () => {
    const k = key();
    await sut.increment(k, 60_000);
    const ttl = await client.pTTL(hitsKey(k));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('starts a fresh window after the old one expires', async () => {
    const k = key();
    await sut.increment(k, 50);
    await sut.increment(k, 50);
    await sleep(200);
    await expect(sut.increment(k, 50)).resolves.toMatchObject({ hits: 1 });
  });

  it('repairs a counter that lost its expiry instead of refusing the client forever', async () => {
    const k = key();
    await client.set(hitsKey(k), '5');
    const count = await sut.increment(k, 60_000);
    expect(count).toMatchObject({ hits: 6 });
    expect(await client.pTTL(hitsKey(k))).toBeGreaterThan(0);
  });

  it('keeps one count for concurrent hits from many callers (atomic script)', async () => {
    const k = key();
    const counts = await Promise.all(Array.from({ length: 50 }, () => sut.increment(k, 60_000)));
    expect(counts.map((c) => c.hits).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
  });

  it('loads the script on a Redis that has not seen it, or forgot it (NOSCRIPT)', async () => {
    const fresh = await DisposableRedis.launch();
    const own = createScriptedClient({ url: fresh.url });
    try {
      await own.connect();
      const store = new RedisWindowStore(own);
      await expect(store.increment('k', 60_000)).resolves.toMatchObject({ hits: 1 });
      await own.scriptFlush();
      await expect(store.increment('k', 60_000)).resolves.toMatchObject({ hits: 2 });
    } finally {
      own.destroy();
      await fresh.kill();
    }
  });
});
