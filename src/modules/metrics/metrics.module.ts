import { Global, Module } from '@nestjs/common';
import { CACHE_OBSERVER, RATE_LIMIT_OBSERVER } from '../../common/observability/observers';
import { INFERENCE_OBSERVER } from '../inference/inference.types';
import { GPU_PROBE, NvidiaSmiGpuProbe } from './gpu-probe';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { RedisModule } from '../redis/redis.module';

/**
 * Global, like the configuration: metrics are ambient. Every feature may report to the observer
 * tokens (with `@Optional()`), and none should have to import Prometheus' module to do so.
 */
const inferenceMetrics = (metrics: MetricsService) => metrics.inference;
const cacheMetrics = (metrics: MetricsService) => metrics.cache;
const requestMetrics = (metrics: MetricsService) => metrics.requests;

@Global()
@Module({
  // The nlp_cache_redis_up gauge reads the connection's state.
  imports: [RedisModule],
  controllers: [MetricsController],
  providers: [
    MetricsService,
    { provide: GPU_PROBE, useClass: NvidiaSmiGpuProbe },
    // Each observer token is the part of MetricsService that owns that layer's metrics.
    { provide: INFERENCE_OBSERVER, inject: [MetricsService], useFactory: inferenceMetrics },
    { provide: CACHE_OBSERVER, inject: [MetricsService], useFactory: cacheMetrics },
    { provide: RATE_LIMIT_OBSERVER, inject: [MetricsService], useFactory: requestMetrics },
  ],
  exports: [MetricsService, INFERENCE_OBSERVER, CACHE_OBSERVER, RATE_LIMIT_OBSERVER],
})
export class MetricsModule {}
