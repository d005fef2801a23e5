import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { RATE_LIMIT_OBSERVER, type RateLimitObserver } from '../../common/observability/observers';
import { InjectConfig, type AppConfig } from '../../config';
import { RedisConnection } from '../redis/redis-connection.service';
import { withTimeout } from '../redis/with-timeout';
import type { SpanParent } from '../../common/observability/request-trace';
import { inSpan } from '../tracing/tracer';
import { MemoryWindowStore } from './memory-window.store';
import { RedisWindowStore } from './redis-window.store';
import { toRecord, type RateLimitRecord, type WindowCount } from './window-count';

/**
 * Where rate-limit counters live: Redis when REDIS_URL is set (one limit across replicas),
 * otherwise this process. While Redis is down, failing or slow, each replica keeps limiting on
 * its own counters (so the effective limit is RATE_LIMIT per replica): never every request
 * let through, never a 500, never a stalled request. The switch is logged once each way and
 * counted per request.
 *
 * Each Redis call is bounded by RATE_LIMIT_TIMEOUT_MS here, by a race: node-redis's own
 * per-command `timeout` stops applying once a command is written to the socket, so against a
 * Redis that accepted the command and hangs it would never fire. Outcomes feed the
 * connection's one circuit breaker (RedisConnection), shared with the cache tier: after repeated
 * failures requests stop paying the timeout for a cool-down, and /health says Redis is down.
 */
@Injectable()
export class RateLimitStorage {
  private readonly logger = new Logger('RateLimit');
  private readonly memory = new MemoryWindowStore();
  private readonly redisStore: RedisWindowStore | undefined;
  private readonly timeoutMs: number;
  private degraded = false;

  constructor(
    private readonly redis: RedisConnection,
    @InjectConfig() config: AppConfig,
    @Optional() @Inject(RATE_LIMIT_OBSERVER) private readonly observer?: RateLimitObserver,
  ) {
    if (redis.backend !== undefined) this.redisStore = new RedisWindowStore(redis.backend.scripts);
    this.timeoutMs = config.RATE_LIMIT_TIMEOUT_MS;
  }

  /**
   * Counts `cost` hits of `key` in a window of `windowMs`; blocked past `limit`. `trace`
   * parents the Redis call's span.
   */
  async increment(
    key: string,
    windowMs: number,
    limit: number,
    cost = 1,
    trace?: SpanParent,
  ): Promise<RateLimitRecord> {
    return toRecord(await this.count(key, windowMs, cost, trace), limit);
  }

  private async count(
    key: string,
    windowMs: number,
    cost: number,
    trace: SpanParent | undefined,
  ): Promise<WindowCount> {
    if (this.redisStore === undefined) return this.memory.increment(key, windowMs, cost);
    if (!this.redis.tryAcquire()) {
      // Not connected, or the breaker is open: don't wait for a command that would fail anyway.
      this.degrade(this.redis.lastErrorMessage() ?? 'Redis commands failing');
    } else {
      try {
        const store = this.redisStore;
        // The script runs as EVALSHA (EVAL once after a NOSCRIPT); the span is the Redis call of
        // the `rate limit check` span, named like the cache tier's `redis MGET`.
        const count = await inSpan(trace, 'redis EVALSHA', REDIS_SPAN_ATTRIBUTES, () =>
          withTimeout(
            store.increment(key, windowMs, cost),
            this.timeoutMs,
            'Redis rate-limit script',
          ),
        );
        this.redis.recordSuccess();
        this.recovered();
        return count;
      } catch (error) {
        this.redis.recordFailure();
        this.degrade(error instanceof Error ? error.message : String(error));
      }
    }
    this.observer?.rateLimitFallback();
    return this.memory.increment(key, windowMs, cost);
  }

  private degrade(reason: string): void {
    if (this.degraded) return;
    this.degraded = true;
    this.observer?.rateLimitLocal(true);
    this.logger.warn(
      `Redis unavailable for rate limiting (${reason}): counting in this replica's memory until it is back`,
    );
  }

  private recovered(): void {
    if (!this.degraded) return;
    this.degraded = false;
    this.observer?.rateLimitLocal(false);
    this.logger.log('Redis is back: rate-limit counters are shared again');
  }
}

/** OpenTelemetry's database conventions, as the cache tier's Redis spans carry them. */
const REDIS_SPAN_ATTRIBUTES = { 'db.system.name': 'redis' } as const;
