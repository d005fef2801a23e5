import { createClient } from '@redis/client';
import { PredictionCache } from '../../src/modules/cache/prediction-cache.service';
import { predictionKey } from '../../src/modules/cache/prediction-key';
import { RedisConnection, type NodeClient } from '../../src/modules/redis/redis-connection.service';
import { waitFor } from '../helpers/processes';
import type { TestApp } from '../helpers/test-app';

export { DisposableRedis, freePort, waitFor } from '../helpers/processes';

/** Test clients give up at once instead of reconnecting to a Redis a test killed. */
function newClient(url: string) {
  return createClient({ url, socket: { reconnectStrategy: false } });
}

export type TestRedisClient = ReturnType<typeof newClient>;

/** A client of its own for assertions, on the database a spec file owns. */
export async function connectTestRedis(url: string): Promise<TestRedisClient> {
  const client = newClient(url);
  // Without a listener an 'error' event (e.g. from a Redis the test killed) would be thrown.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** The app's own client of its one Redis server (REDIS_URL), to spy on its commands. */
export function redisClientOf(testApp: TestApp): NodeClient {
  const backend = testApp.app.get(RedisConnection).backend;
  if (backend?.mode !== 'standalone') throw new Error('the app has no REDIS_URL');
  return backend.client as NodeClient;
}

export function cacheOf(testApp: TestApp): PredictionCache {
  return testApp.app.get(PredictionCache);
}

/** The key the app uses for `text` under its default model. */
export function keyOf(testApp: TestApp, text: string): string {
  return predictionKey(testApp.inference.resolveModel(), text);
}

/**
 * Waits until the app's connection to Redis is ready, so the first request can use it. Specs
 * whose app connects to several servers (sentinels, a cluster) give a longer bound.
 */
export function waitForRedisUp(testApp: TestApp, timeoutMs?: number): Promise<void> {
  return waitFor(
    () => cacheOf(testApp).status().redis === 'up',
    'the Redis tier to be up',
    timeoutMs,
  );
}

/** Waits until the write-behind of `text` has reached Redis. */
export function waitForRedisEntry(
  testApp: TestApp,
  redis: TestRedisClient,
  text: string,
): Promise<void> {
  return waitFor(
    async () => (await redis.exists(keyOf(testApp, text))) === 1,
    `the entry of "${text}"`,
  );
}

export async function classify(
  testApp: TestApp,
  text: string,
  extra: Record<string, unknown> = {},
) {
  return testApp.inject({ method: 'POST', url: '/classify', payload: { text, ...extra } });
}
