import { Module, type Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config';
import { RedisConnection } from '../redis/redis-connection.service';
import { RedisModule } from '../redis/redis.module';
import { InferenceModule } from '../inference';
import { CacheInvalidationBus } from './cache-invalidation.bus';
import { CacheController } from './cache.controller';
import { PredictionCache } from './prediction-cache.service';
import { MEMORY_CACHE_TIER, SHARED_CACHE_TIER } from './tiers/cache-tier.interface';
import { MemoryTier } from './tiers/memory-tier';
import { RedisTier } from './tiers/redis-tier';

const memoryTierProvider: Provider = {
  provide: MEMORY_CACHE_TIER,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): MemoryTier | null =>
    config.CACHE_ENABLED && config.CACHE_MEMORY_ITEMS > 0
      ? new MemoryTier({
          maxItems: config.CACHE_MEMORY_ITEMS,
          ttlMs: config.CACHE_TTL_SECONDS * 1000,
        })
      : null,
};

const sharedTierProvider: Provider = {
  provide: SHARED_CACHE_TIER,
  inject: [APP_CONFIG, RedisConnection],
  useFactory: (config: AppConfig, connection: RedisConnection): RedisTier | null =>
    config.CACHE_ENABLED && connection.backend !== undefined
      ? new RedisTier(connection, connection.backend, { timeoutMs: config.CACHE_TIMEOUT_MS })
      : null,
};

/**
 * The prediction cache, for the modules that import it (classification, health).
 *
 * The memory tier is an lru-cache LRU; the Redis tier is Keyv over the application's one Redis
 * client, which RedisConnection (not this module) closes at shutdown, after requests drained.
 */
@Module({
  imports: [
    // The cache controller checks that the model to invalidate exists.
    InferenceModule,
    RedisModule,
  ],
  controllers: [CacheController],
  providers: [memoryTierProvider, sharedTierProvider, PredictionCache, CacheInvalidationBus],
  exports: [PredictionCache],
})
export class PredictionCacheModule {}
