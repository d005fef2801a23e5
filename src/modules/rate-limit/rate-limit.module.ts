import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { AppConfig } from '../../config';
import { RedisModule } from '../redis/redis.module';
import { RateLimitGuard } from './rate-limit.guard';
import { RATE_LIMIT_POLICY, type RateLimitPolicy } from './rate-limit.policy';
import { RateLimitStorage } from './rate-limit.storage';
import { RateLimiter } from './rate-limiter.service';

/**
 * RATE_LIMIT requests per RATE_LIMIT_WINDOW_SECONDS per client on `@RateLimited()` routes,
 * counted in Redis when REDIS_URL is set. RATE_LIMIT=0 leaves the guard out entirely.
 */
@Module({})
export class RateLimitModule {
  static forRoot(config: AppConfig): DynamicModule {
    if (config.RATE_LIMIT === 0) return { module: RateLimitModule };
    const policy: RateLimitPolicy = {
      limit: config.RATE_LIMIT,
      windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
    };
    return {
      module: RateLimitModule,
      imports: [RedisModule],
      providers: [
        { provide: RATE_LIMIT_POLICY, useValue: policy },
        RateLimitStorage,
        RateLimiter,
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
      exports: [RateLimitStorage, RateLimiter],
    };
  }
}
