import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
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
    private readonly redis: RedisConnection,
  ) {}

  state(): RedisState {
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
      message: `redis is unreachable${cause === undefined ? '' : `: ${cause}`}; serving without the shared cache`,
    });
  }
}
