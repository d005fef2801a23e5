import { startTestApp, type TestApp } from '../helpers/test-app';
import {
  cacheOf,
  classify,
  connectTestRedis,
  keyOf,
  waitForRedisEntry,
  waitForRedisUp,
  type TestRedisClient,
} from './redis-test-support';

/** This file's own database on the shared test Redis; only it is ever flushed. */
const REDIS_URL = 'redis://127.0.0.1:6379/12';
const ADMIN_API_KEY = 'cache-admin-key-for-tests-0123456789';
const MODEL = 'spam-en';
const OLD_VERSION = '000000000000';

const TEXTS = ['Invalidation e2e: lunch on Friday?', 'Invalidation e2e: WIN A FREE PRIZE NOW!!!'];

describe('DELETE /cache', () => {
  let redis: TestRedisClient;
  let sut: TestApp;
  let version: string;

  const invalidate = (
    query: string,
    headers: Record<string, string> = { 'x-api-key': ADMIN_API_KEY },
  ) => sut.inject({ method: 'DELETE', url: `/cache?${query}`, headers });

  /**
   * Keys no request of this app would write: an older version, a model with a similar name,
   * another model, and a non-prediction key (like the rate limiter's) under the model's prefix.
   */
  const foreignKeys = () => [
    `sift:${MODEL}:${OLD_VERSION}:${'a'.repeat(64)}`,
    `sift:${MODEL}-v2:${version}:${'b'.repeat(64)}`,
    `sift:lang-id:0123456789ab:${'c'.repeat(64)}`,
    `sift:${MODEL}:{${'d'.repeat(64)}}:hits`,
  ];

  async function populate(): Promise<void> {
    for (const text of TEXTS) await classify(sut, text);
    for (const text of TEXTS) await waitForRedisEntry(sut, redis, text);
    for (const key of foreignKeys()) await redis.set(key, '{}', { PX: 60_000 });
  }

  beforeAll(async () => {
    redis = await connectTestRedis(REDIS_URL);
    await redis.flushDb();
    sut = await startTestApp({ REDIS_URL, ADMIN_API_KEY });
    await waitForRedisUp(sut);
    version = sut.inference.resolveModel(MODEL).version;
  });

  beforeEach(async () => {
    await invalidate(`model=${MODEL}`);
    await redis.flushDb();
    await populate();
  });

  afterAll(async () => {
    await sut.close();
    await redis.flushDb();
    redis.destroy();
  });

  it('drops one model version from both tiers and leaves the others', async () => {
    const response = await invalidate(`model=${MODEL}&version=${version}`);

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ deleted: { memory: 2, redis: 2 } });
    expect(await redis.exists(TEXTS.map((text) => keyOf(sut, text)))).toBe(0);
    expect(await redis.exists(foreignKeys())).toBe(4);
    const again = await classify(sut, TEXTS[0]);
    expect(again.json().cached).toBe(false);
  });

  it('drops an old version without touching the served one', async () => {
    const response = await invalidate(`model=${MODEL}&version=${OLD_VERSION}`);

    expect(response.json()).toEqual({ deleted: { memory: 0, redis: 1 } });
    expect((await classify(sut, TEXTS[0])).json().cached).toBe(true);
  });

  it('drops every version of a model, and nothing of models with similar names', async () => {
    const response = await invalidate(`model=${MODEL}`, {
      authorization: `Bearer ${ADMIN_API_KEY}`,
    });

    expect(response.json()).toEqual({ deleted: { memory: 2, redis: 3 } });
    const [, ...otherKeys] = foreignKeys();
    expect(await redis.exists(otherKeys)).toBe(3);
    expect(cacheOf(sut).status().memory.items).toBe(0);
    expect((await classify(sut, TEXTS[1])).json().cached).toBe(false);
  });

  it('answers 404 for a model this server does not serve, as /classify does, and deletes nothing', async () => {
    const response = await invalidate('model=spam-en-typo');

    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({
      statusCode: 404,
      message: 'Unknown model "spam-en-typo". Known models: spam-en',
    });
    expect(await redis.exists(foreignKeys())).toBe(4);
  });

  it.each([
    ['no key', {}],
    ['a wrong key', { 'x-api-key': 'not-the-admin-key-0123456789' }],
    ['a wrong bearer token', { authorization: 'Bearer not-the-admin-key-0123456789' }],
  ])('answers 401 to %s and deletes nothing', async (_, headers) => {
    const response = await invalidate(`model=${MODEL}`, headers);

    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    expect(await redis.exists(TEXTS.map((text) => keyOf(sut, text)))).toBe(2);
  });

  it.each([
    ['without a model', ''],
    ['with a glob as version', `model=${MODEL}&version=*`],
    ['with an unknown parameter', `model=${MODEL}&all=true`],
  ])('answers 400 %s', async (_, query) => {
    expect((await invalidate(query)).statusCode).toBe(400);
  });
});

describe('DELETE /cache without ADMIN_API_KEY', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  });

  afterAll(async () => {
    await sut.close();
  });

  it('answers 404 as if the route did not exist, whatever key is sent', async () => {
    const response = await sut.inject({
      method: 'DELETE',
      url: `/cache?model=${MODEL}`,
      headers: { 'x-api-key': ADMIN_API_KEY },
    });
    const unknownRoute = await sut.inject({ method: 'DELETE', url: '/no-such-route' });

    expect(response.statusCode).toBe(404);
    expect(response.json().error).toBe(unknownRoute.json().error);
  });
});
