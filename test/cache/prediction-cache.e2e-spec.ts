import { jest } from '@jest/globals';
import { startTestApp, type TestApp } from '../helpers/test-app';
import {
  cacheOf,
  classify,
  connectTestRedis,
  keyOf,
  waitFor,
  waitForRedisEntry,
  waitForRedisUp,
  type TestRedisClient,
  redisClientOf,
} from './redis-test-support';

/** This file's own database on the shared test Redis; only it is ever flushed. */
const REDIS_URL = 'redis://127.0.0.1:6379/11';
const MODEL = 'spam-en';

const text = (label: string): string =>
  `Prediction cache e2e: ${label}, see you at the meeting on Monday.`;

describe('prediction cache (memory tier + shared Redis)', () => {
  let redis: TestRedisClient;
  let sut: TestApp;

  beforeAll(async () => {
    redis = await connectTestRedis(REDIS_URL);
    await redis.flushDb();
    sut = await startTestApp({ REDIS_URL });
    await waitForRedisUp(sut);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  afterAll(async () => {
    await sut.close();
    await redis.flushDb();
    redis.destroy();
  });

  it('answers a repeated text from the cache, exactly as it answered it the first time', async () => {
    const first = await classify(sut, text('hit and miss'));
    expect(first.statusCode).toBe(200);
    expect(first.json().cached).toBe(false);
    await waitForRedisEntry(sut, redis, text('hit and miss'));

    const second = await classify(sut, text('hit and miss'));

    expect(second.statusCode).toBe(200);
    expect(second.json()).toStrictEqual({ ...first.json(), cached: true });
  });

  it('keeps the probabilities, so a different top_k is answered from the same entry', async () => {
    const full = await classify(sut, text('top k'));
    await waitForRedisEntry(sut, redis, text('top k'));

    const top1 = (await classify(sut, text('top k'), { top_k: 1 })).json();

    expect(top1.cached).toBe(true);
    expect(top1.prediction).toEqual(full.json().prediction);
    expect(top1.scores).toEqual({ [top1.label]: top1.score });
  });

  it('stores entries in Redis under sift:<model>:<version>:<sha256> with the configured TTL', async () => {
    await classify(sut, text('ttl'));
    await waitForRedisEntry(sut, redis, text('ttl'));
    const { version } = sut.inference.resolveModel(MODEL);
    const key = keyOf(sut, text('ttl'));

    expect(key).toMatch(new RegExp(`^sift:${MODEL}:${version}:[0-9a-f]{64}$`));
    const ttl = await redis.pTTL(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3600 * 1000);
  });

  it('reads a batch in one multi-get and sends only the texts it lacks to the batcher', async () => {
    const known = [text('batch known 1'), text('batch known 2')];
    await sut.inject({ method: 'POST', url: '/classify/batch', payload: { texts: known } });
    await waitForRedisEntry(sut, redis, known[0]);
    await waitForRedisEntry(sut, redis, known[1]);
    const fresh = [text('batch new 1'), text('batch new 2')];
    const predict = jest.spyOn(sut.inference, 'predict');
    const mget = jest.spyOn(redisClientOf(sut), 'mGet');
    const before = sut.inference.resolveModel(MODEL).batcher.stats();

    const response = await sut.inject({
      method: 'POST',
      url: '/classify/batch',
      payload: { texts: [known[0], fresh[0], known[1], fresh[1], fresh[1]] },
    });

    expect(response.statusCode).toBe(200);
    const results = response.json().results;
    expect(results.map((result: { cached: boolean }) => result.cached)).toEqual([
      true,
      false,
      true,
      false,
      false,
    ]);
    expect(results[4]).toStrictEqual(results[3]);
    expect(predict).toHaveBeenCalledTimes(1);
    expect(predict.mock.calls[0][1]).toEqual(fresh);
    expect(sut.inference.resolveModel(MODEL).batcher.stats().textsRun - before.textsRun).toBe(2);
    // The memory tier answered the known texts; Redis was asked once, for the rest.
    expect(mget).toHaveBeenCalledTimes(1);
  });

  it('runs 20 identical concurrent requests as one text in the batcher', async () => {
    const predict = jest.spyOn(sut.inference, 'predict');
    const before = sut.inference.resolveModel(MODEL).batcher.stats();

    const responses = await Promise.all(
      Array.from({ length: 20 }, () => classify(sut, text('coalesced'))),
    );

    expect(responses.map((response) => response.statusCode)).toEqual(Array(20).fill(200));
    const bodies = responses.map((response) => ({ ...response.json(), cached: false }));
    for (const body of bodies) expect(body).toStrictEqual(bodies[0]);
    const textsSubmitted = predict.mock.calls.reduce((total, [, texts]) => total + texts.length, 0);
    expect(textsSubmitted).toBe(1);
    expect(sut.inference.resolveModel(MODEL).batcher.stats().textsRun - before.textsRun).toBe(1);
  });

  it('lets a second instance answer from Redis what the first one computed', async () => {
    const other = await startTestApp({ REDIS_URL });
    try {
      await waitForRedisUp(other);
      const first = await classify(sut, text('shared'));
      await waitForRedisEntry(sut, redis, text('shared'));
      expect(cacheOf(other).status().memory.items).toBe(0);

      const fromOther = await classify(other, text('shared'));

      expect(fromOther.json()).toStrictEqual({ ...first.json(), cached: true });
      // The Redis hit is copied into the second instance's memory tier.
      await waitFor(
        () => cacheOf(other).status().memory.items === 1,
        'the Redis hit to reach memory',
      );
    } finally {
      await other.close();
    }
  });

  it('forgets entries after CACHE_TTL_SECONDS', async () => {
    const shortLived = await startTestApp({ REDIS_URL, CACHE_TTL_SECONDS: '1' });
    try {
      await waitForRedisUp(shortLived);
      await classify(shortLived, text('expiring'));
      await waitForRedisEntry(shortLived, redis, text('expiring'));
      // Redis drops the key after its 1 s PX; the memory entry was written no later than that.
      await waitFor(
        async () => (await redis.exists(keyOf(shortLived, text('expiring')))) === 0,
        'the Redis entry to expire',
      );

      const again = await classify(shortLived, text('expiring'));

      expect(again.json().cached).toBe(false);
    } finally {
      await shortLived.close();
    }
  });
});

describe('prediction cache with CACHE_ENABLED=false', () => {
  let redis: TestRedisClient;
  let sut: TestApp;

  beforeAll(async () => {
    redis = await connectTestRedis(REDIS_URL);
    sut = await startTestApp({ REDIS_URL, CACHE_ENABLED: 'false' });
  });

  afterAll(async () => {
    await sut.close();
    redis.destroy();
  });

  it('computes every request and writes nothing', async () => {
    const first = await classify(sut, text('disabled'));
    const second = await classify(sut, text('disabled'));

    expect([first.json().cached, second.json().cached]).toEqual([false, false]);
    expect(second.json()).toStrictEqual(first.json());
    expect(await redis.exists(keyOf(sut, text('disabled')))).toBe(0);
    expect(cacheOf(sut).status()).toEqual({ memory: { items: 0 }, redis: 'disabled' });
  });
});
