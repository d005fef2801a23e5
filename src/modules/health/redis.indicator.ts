import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { RedisConnection, type RedisState } from '../redis/redis-connection.service';

export type { RedisState };

/**
 * Redis backs only the shared cache tier and rate-limit counters, which degrade without it,
 * so a lost connection makes the service `degraded`, never down.
 */
@Injectable()
export class RedisIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly redis: RedisConnection,
  ) {}

  /** The connection's state, which the cache tier and the `nlp_cache_redis_up` gauge read too. */
  state(): RedisState {
    return this.redis.state();
  }

  check<const Key extends string>(key: Key) {
    const session = this.indicators.check(key);
    const state = this.state();
    const topology = this.redis.topology();
    if (state !== 'down') return session.up({ state, ...topology });
    const cause = this.redis.lastErrorMessage();
    return session.degraded({
      state,
      ...topology,
      message: `redis is unavailable${cause === undefined ? '' : ` (${cause})`}; serving without the shared cache`,
    });
  }
}
