import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { PredictionCache } from '../cache/prediction-cache.service';
import { RedisConnection } from '../redis/redis-connection.service';

export type RedisState = 'disabled' | 'up' | 'down';

/**
 * Redis backs only the shared cache tier and rate-limit counters, which degrade without it,
 * so a lost connection makes the service `degraded`, never down.
 */
@Injectable()
export class RedisIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly cache: PredictionCache,
    private readonly redis: RedisConnection,
  ) {}

  /**
   * The cache tier's view when it uses Redis (it also counts Redis as down while its circuit
   * breaker is open); otherwise the shared connection's, which rate limiting may still use.
   */
  state(): RedisState {
    const cacheView = this.cache.status().redis;
    if (cacheView !== 'disabled') return cacheView;
    if (!this.redis.configured) return 'disabled';
    return this.redis.isUp() ? 'up' : 'down';
  }

  check<const Key extends string>(key: Key) {
    const session = this.indicators.check(key);
    const state = this.state();
    if (state !== 'down') return session.up({ state });
    const cause = this.redis.lastErrorMessage();
    return session.degraded({
      state,
      message: `redis is unavailable${cause === undefined ? '' : ` (${cause})`}; serving without the shared cache`,
    });
  }
}
