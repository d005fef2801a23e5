import { CACHE_MANAGER, CacheModule, type Cache } from '@nestjs/cache-manager';
import { Global, Module, type Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config';
import { RedisConnection } from '../redis/redis-connection.service';
import { InferenceModule } from '../inference';
import { CacheInvalidationBus } from './cache-invalidation.bus';
import { CacheController } from './cache.controller';
import { PredictionCache } from './prediction-cache.service';
import { MEMORY_CACHE_TIER, SHARED_CACHE_TIER } from './tiers/cache-tier.interface';
import { createMemoryKeyv, MemoryTier } from './tiers/memory-tier';
import { RedisTier } from './tiers/redis-tier';

/** Consecutive Redis failures or timeouts before the tier is skipped for a cool-down. */
const REDIS_FAILURE_THRESHOLD = 5;
const REDIS_COOL_DOWN_MS = 2000;

const memoryTierProvider: Provider = {
  provide: MEMORY_CACHE_TIER,
  inject: [APP_CONFIG, CACHE_MANAGER],
  useFactory: (config: AppConfig, cache: Cache): MemoryTier | null =>
    config.CACHE_ENABLED && config.CACHE_MEMORY_ITEMS > 0 ? MemoryTier.over(cache) : null,
};

const sharedTierProvider: Provider = {
  provide: SHARED_CACHE_TIER,
  inject: [APP_CONFIG, RedisConnection],
  useFactory: (config: AppConfig, connection: RedisConnection): RedisTier | null =>
    config.CACHE_ENABLED && connection.client !== undefined
      ? new RedisTier(connection, connection.client, {
          timeoutMs: config.CACHE_TIMEOUT_MS,
          failureThreshold: REDIS_FAILURE_THRESHOLD,
          coolDownMs: REDIS_COOL_DOWN_MS,
        })
      : null,
};

/**
 * The prediction cache. Global, like the Redis connection, so classification and health use
 * `PredictionCache` without importing this module.
 *
 * Nest's CacheModule provides the memory tier's cache-manager instance. The Redis tier is built
 * here instead: that module disconnects its stores on shutdown, which would close the shared
 * client that RedisConnection owns while requests are still draining.
 */
@Global()
@Module({
  imports: [
    // The cache controller checks that the model to invalidate exists.
    InferenceModule,
    CacheModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // lruSize 0 would mean unbounded; CACHE_MEMORY_ITEMS=0 disables the tier instead.
        stores: [
          createMemoryKeyv(Math.max(1, config.CACHE_MEMORY_ITEMS), config.CACHE_TTL_SECONDS * 1000),
        ],
      }),
    }),
  ],
  controllers: [CacheController],
  providers: [memoryTierProvider, sharedTierProvider, PredictionCache, CacheInvalidationBus],
  exports: [PredictionCache],
})
export class PredictionCacheModule {}
