import { Global, Module } from '@nestjs/common';
import {
  CACHE_OBSERVER,
  RATE_LIMIT_OBSERVER,
  REJECTION_OBSERVER,
} from '../../common/observability/observers';
import { INFERENCE_OBSERVER } from '../inference/inference.types';
import { GPU_PROBE, NvidiaSmiGpuProbe } from './gpu-probe';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { RedisModule } from '../redis/redis.module';

/**
 * Global, like the configuration: metrics are ambient. Every feature may report to the observer
 * tokens (with `@Optional()`), and none should have to import Prometheus' module to do so.
 */
@Global()
@Module({
  // The nlp_cache_redis_up gauge reads the connection's state.
  imports: [RedisModule],
  controllers: [MetricsController],
  providers: [
    MetricsService,
    { provide: GPU_PROBE, useClass: NvidiaSmiGpuProbe },
    { provide: INFERENCE_OBSERVER, useExisting: MetricsService },
    { provide: CACHE_OBSERVER, useExisting: MetricsService },
    { provide: REJECTION_OBSERVER, useExisting: MetricsService },
    { provide: RATE_LIMIT_OBSERVER, useExisting: MetricsService },
  ],
  exports: [
    MetricsService,
    INFERENCE_OBSERVER,
    CACHE_OBSERVER,
    REJECTION_OBSERVER,
    RATE_LIMIT_OBSERVER,
  ],
})
export class MetricsModule {}
