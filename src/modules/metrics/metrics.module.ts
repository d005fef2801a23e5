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

/**
 * Global so the inference, cache and rate-limit modules can inject the observer tokens
 * (with `@Optional()`) without importing this module.
 */
@Global()
@Module({
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
