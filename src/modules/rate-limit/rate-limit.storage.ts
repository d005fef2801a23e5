import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { InjectConfig, type AppConfig } from '../../config';
import { RATE_LIMIT_OBSERVER, type RateLimitObserver } from '../../common/observability/observers';
import { RedisConnection } from '../redis/redis-connection.service';
import { MemoryWindowStore } from './memory-window.store';
import { RedisWindowStore } from './redis-window.store';
import { toThrottlerRecord, type ThrottlerStorageRecord, type WindowCount } from './window-count';

/**
 * Where rate-limit counters live: Redis when REDIS_URL is set (one limit across replicas),
 * otherwise this process. While Redis is down or failing, each replica keeps limiting on
 * its own counters (so the effective limit is RATE_LIMIT per replica): never every request
 * let through, never a 500. The switch is logged once each way and counted per request.
 */
@Injectable()
export class RateLimitStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimit');
  private readonly memory = new MemoryWindowStore();
  private readonly redisStore: RedisWindowStore | undefined;
  private degraded = false;

  constructor(
    private readonly redis: RedisConnection,
    // A slow Redis must not stall every classify request: past RATE_LIMIT_TIMEOUT_MS the
    // replica counts the hit itself. Redis answers a one-script round trip in about 1 ms.
    @InjectConfig() config: AppConfig,
    @Optional() @Inject(RATE_LIMIT_OBSERVER) private readonly observer?: RateLimitObserver,
  ) {
    if (redis.client !== undefined)
      this.redisStore = new RedisWindowStore(redis.client, config.RATE_LIMIT_TIMEOUT_MS);
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    _throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    return toThrottlerRecord(await this.count(key, ttl, limit, blockDuration));
  }

  /** True while counters are kept locally although Redis is configured. */
  get isDegraded(): boolean {
    return this.degraded;
  }

  private async count(
    key: string,
    ttl: number,
    limit: number,
    blockMs: number,
  ): Promise<WindowCount> {
    if (this.redisStore === undefined) return this.memory.increment(key, ttl, limit, blockMs);
    if (this.redis.isUp()) {
      try {
        const count = await this.redisStore.increment(key, ttl, limit, blockMs);
        this.recovered();
        return count;
      } catch (error) {
        this.degrade(error instanceof Error ? error.message : String(error));
      }
    } else {
      // Not connected: don't wait for a command that would fail anyway.
      this.degrade(this.redis.lastErrorMessage() ?? 'not connected');
    }
    this.observer?.rateLimitFallback();
    return this.memory.increment(key, ttl, limit, blockMs);
  }

  private degrade(reason: string): void {
    if (this.degraded) return;
    this.degraded = true;
    this.logger.warn(
      `Redis unavailable for rate limiting (${reason}): counting in this replica's memory until it is back`,
    );
  }

  private recovered(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.logger.log('Redis is back: rate-limit counters are shared again');
  }
}
