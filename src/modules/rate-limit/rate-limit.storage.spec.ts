import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { TcpProxy } from '../../../test/helpers/tcp-proxy';
import { waitFor } from '../../../test/helpers/processes';
import type { RateLimitObserver } from '../../common/observability/observers';
import { loadConfig, type AppConfig } from '../../config';
import { RedisConnection, type SiftScripts } from '../redis/redis-connection.service';
import { RateLimitStorage } from './rate-limit.storage';

interface FakeRedis {
  up: boolean;
  reply: () => Promise<unknown>;
}

function connectionOf(fake: FakeRedis | undefined): RedisConnection {
  const scripts: SiftScripts | undefined =
    fake === undefined ? undefined : { siftRateLimitHit: () => fake.reply() };
  return {
    backend: scripts === undefined ? undefined : { scripts },
    isUp: () => fake?.up ?? false,
    // The breaker itself is RedisConnection's, exercised against a hanging Redis below.
    tryAcquire: () => fake?.up ?? false,
    recordSuccess: () => undefined,
    recordFailure: () => undefined,
    lastErrorMessage: () => 'connect ECONNREFUSED',
  } as unknown as RedisConnection;
}

const WINDOW_MS = 60_000;
const CONFIG = { RATE_LIMIT_TIMEOUT_MS: 200 } as AppConfig;

describe(RateLimitStorage.name, () => {
  let observer: RateLimitObserver & {
    rateLimitFallback: jest.Mock<() => void>;
    rateLimitLocal: jest.Mock<(local: boolean) => void>;
  };
  /** What the storage last told the observer (the nlp_rate_limit_local gauge); false before. */
  const countsLocally = (): boolean => observer.rateLimitLocal.mock.calls.at(-1)?.[0] ?? false;
  let warn: jest.SpiedFunction<Logger['warn']>;

  beforeEach(() => {
    observer = {
      rateLimitFallback: jest.fn<() => void>(),
      rateLimitLocal: jest.fn<(local: boolean) => void>(),
    };
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('counts in memory without REDIS_URL, and that is no fallback', async () => {
    const sut = new RateLimitStorage(connectionOf(undefined), CONFIG, observer);
    await sut.increment('k', WINDOW_MS, 1);
    const second = await sut.increment('k', WINDOW_MS, 1);
    expect(second).toMatchObject({ totalHits: 2, isBlocked: true });
    expect(observer.rateLimitFallback).not.toHaveBeenCalled();
    expect(countsLocally()).toBe(false);
  });

  it('uses the script reply, in seconds, while Redis is up', async () => {
    const sut = new RateLimitStorage(
      connectionOf({ up: true, reply: () => Promise.resolve([101, 1500]) }),
      CONFIG,
      observer,
    );
    await expect(sut.increment('k', WINDOW_MS, 100)).resolves.toEqual({
      totalHits: 101,
      timeToExpire: 2,
      isBlocked: true,
    });
  });

  it('still limits, in memory, while Redis is disconnected: logged once, counted each time', async () => {
    const sut = new RateLimitStorage(
      connectionOf({ up: false, reply: () => Promise.reject(new Error('unreachable')) }),
      CONFIG,
      observer,
    );
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await sut.increment('k', WINDOW_MS, 2));
    expect(results.map((r) => r.isBlocked)).toEqual([false, false, true]);
    expect(observer.rateLimitFallback).toHaveBeenCalledTimes(3);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(countsLocally()).toBe(true);
  });

  it('falls back when a command fails, and shares again once Redis answers', async () => {
    const fake: FakeRedis = { up: true, reply: () => Promise.reject(new Error('READONLY')) };
    const sut = new RateLimitStorage(connectionOf(fake), CONFIG, observer);
    await expect(sut.increment('k', WINDOW_MS, 5)).resolves.toMatchObject({ totalHits: 1 });
    expect(countsLocally()).toBe(true);

    fake.reply = () => Promise.resolve([7, 30_000]);
    await expect(sut.increment('k', WINDOW_MS, 5)).resolves.toMatchObject({ totalHits: 7 });
    expect(countsLocally()).toBe(false);
    expect(observer.rateLimitFallback).toHaveBeenCalledTimes(1);
  });

  it('treats a malformed script reply as a Redis failure, not a 500', async () => {
    const sut = new RateLimitStorage(
      connectionOf({ up: true, reply: () => Promise.resolve('OK') }),
      CONFIG,
      observer,
    );
    await expect(sut.increment('k', WINDOW_MS, 5)).resolves.toMatchObject({ totalHits: 1 });
    expect(observer.rateLimitFallback).toHaveBeenCalledTimes(1);
  });

  describe('against a Redis that takes the command and never answers', () => {
    let proxy: TcpProxy;
    let connection: RedisConnection;

    beforeAll(async () => {
      proxy = await TcpProxy.start(6379);
      connection = new RedisConnection(
        loadConfig({
          REDIS_URL: `redis://127.0.0.1:${proxy.port}/8`,
          RATE_LIMIT_TIMEOUT_MS: '100',
        }),
      );
      connection.onModuleInit();
      await waitFor(() => connection.isUp(), 'the Redis connection');
    });

    afterAll(async () => {
      proxy.resume();
      connection.backend?.destroy();
      await proxy.close();
    });

    it('bounds each call, then stops asking while the circuit is open, then shares again', async () => {
      const config = loadConfig({ RATE_LIMIT_TIMEOUT_MS: '100' });
      const sut = new RateLimitStorage(connection, config, observer);
      const key = `hang-${process.pid}-${Date.now()}`;
      await expect(sut.increment(key, WINDOW_MS, 100)).resolves.toMatchObject({ totalHits: 1 });

      proxy.hang();
      // Each call resolves (in memory) although Redis never answers what it was sent.
      for (let i = 0; i < 5; i++) {
        await expect(sut.increment(key, WINDOW_MS, 100)).resolves.toMatchObject({
          totalHits: i + 1,
        });
      }
      expect(proxy.hanging).toBe(true);
      expect(proxy.heldBytes).toBeGreaterThan(0);
      expect(countsLocally()).toBe(true);

      // Five timeouts opened the circuit: the next calls send nothing at all.
      const sent = proxy.heldBytes;
      for (let i = 0; i < 20; i++) await sut.increment(key, WINDOW_MS, 100);
      expect(proxy.heldBytes).toBe(sent);

      proxy.resume();
      await waitFor(async () => {
        await sut.increment(key, WINDOW_MS, 100);
        return !countsLocally();
      }, 'the limiter to count in Redis again');
    });
  });
});
