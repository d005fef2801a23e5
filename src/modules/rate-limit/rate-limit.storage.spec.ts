import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { RateLimitObserver } from '../../common/observability/observers';
import type { RedisConnection, SiftRedisClient } from '../redis/redis-connection.service';
import type { AppConfig } from '../../config';
import { RateLimitStorage } from './rate-limit.storage';

interface FakeRedis {
  up: boolean;
  reply: () => Promise<unknown>;
}

function connectionOf(fake: FakeRedis | undefined): RedisConnection {
  const client =
    fake === undefined
      ? undefined
      : ({ sendCommand: () => fake.reply() } as unknown as SiftRedisClient);
  return {
    client,
    isUp: () => fake?.up ?? false,
    lastErrorMessage: () => 'connect ECONNREFUSED',
  } as unknown as RedisConnection;
}

const WINDOW_MS = 60_000;
const CONFIG = { RATE_LIMIT_TIMEOUT_MS: 200 } as AppConfig;

describe(RateLimitStorage.name, () => {
  let observer: RateLimitObserver & { rateLimitFallback: jest.Mock<() => void> };
  let warn: jest.SpiedFunction<Logger['warn']>;

  beforeEach(() => {
    observer = { rateLimitFallback: jest.fn<() => void>() };
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('counts in memory without REDIS_URL, and that is no fallback', async () => {
    const sut = new RateLimitStorage(connectionOf(undefined), CONFIG, observer);
    await sut.increment('k', WINDOW_MS, 1, 0, 'default');
    const second = await sut.increment('k', WINDOW_MS, 1, 0, 'default');
    expect(second).toMatchObject({ totalHits: 2, isBlocked: true });
    expect(observer.rateLimitFallback).not.toHaveBeenCalled();
    expect(sut.isDegraded).toBe(false);
  });

  it('uses the script reply, in seconds, while Redis is up', async () => {
    const sut = new RateLimitStorage(
      connectionOf({ up: true, reply: () => Promise.resolve([101, 1500, 1, 1500]) }),
      CONFIG,
      observer,
    );
    await expect(sut.increment('k', WINDOW_MS, 100, 0, 'default')).resolves.toEqual({
      totalHits: 101,
      timeToExpire: 2,
      isBlocked: true,
      timeToBlockExpire: 2,
    });
  });

  it('still limits, in memory, while Redis is disconnected: logged once, counted each time', async () => {
    const sut = new RateLimitStorage(
      connectionOf({ up: false, reply: () => Promise.reject(new Error('unreachable')) }),
      CONFIG,
      observer,
    );
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await sut.increment('k', WINDOW_MS, 2, 0, 'default'));
    expect(results.map((r) => r.isBlocked)).toEqual([false, false, true]);
    expect(observer.rateLimitFallback).toHaveBeenCalledTimes(3);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(sut.isDegraded).toBe(true);
  });

  it('falls back when a command fails or times out, and shares again once Redis answers', async () => {
    const fake: FakeRedis = { up: true, reply: () => Promise.reject(new Error('Command timeout')) };
    const sut = new RateLimitStorage(connectionOf(fake), CONFIG, observer);
    await expect(sut.increment('k', WINDOW_MS, 5, 0, 'default')).resolves.toMatchObject({
      totalHits: 1,
    });
    expect(sut.isDegraded).toBe(true);

    fake.reply = () => Promise.resolve([7, 30_000, 0, 0]);
    await expect(sut.increment('k', WINDOW_MS, 5, 0, 'default')).resolves.toMatchObject({
      totalHits: 7,
    });
    expect(sut.isDegraded).toBe(false);
    expect(observer.rateLimitFallback).toHaveBeenCalledTimes(1);
  });

  it('treats a malformed script reply as a Redis failure, not a 500', async () => {
    const sut = new RateLimitStorage(
      connectionOf({ up: true, reply: () => Promise.resolve('OK') }),
      CONFIG,
      observer,
    );
    await expect(sut.increment('k', WINDOW_MS, 5, 0, 'default')).resolves.toMatchObject({
      totalHits: 1,
    });
    expect(observer.rateLimitFallback).toHaveBeenCalledTimes(1);
  });
});
