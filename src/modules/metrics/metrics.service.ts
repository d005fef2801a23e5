import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { RedisConnection } from '../redis/redis-connection.service';
import { CacheMetrics } from './cache-metrics';
import { GPU_PROBE, type GpuProbe } from './gpu-probe';
import { registerGpuGauge } from './gpu-gauge';
import { InferenceMetrics } from './inference-metrics';
import { openMetricsExposition, type ExpositionFormat } from './openmetrics';
import { RequestMetrics } from './request-metrics';

const NON_CONVENTIONAL_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/**
 * Every Prometheus metric Sift exports, in a registry of its own: two applications in one
 * process (tests, the Lambda handler) never share or clash over series. Each part implements
 * the observer hooks of one layer (requests, inference, cache), so those layers stay free of
 * Prometheus types; this service owns the registry, the process metrics and the exposition.
 */
@Injectable()
export class MetricsService implements OnModuleInit {
  private readonly logger = new Logger(MetricsService.name);
  readonly registry = new Registry();
  readonly requests: RequestMetrics;
  readonly inference: InferenceMetrics;
  readonly cache: CacheMetrics;

  constructor(
    redis: RedisConnection,
    @Inject(GPU_PROBE) private readonly gpu: GpuProbe,
  ) {
    collectDefaultMetrics({ register: this.registry });
    // prom-client exports these sums as gauges named `_total`, which Prometheus' naming rules
    // (promtool) reject; the per-type gauges (`nodejs_active_handles{type}`) carry the same data.
    for (const name of NON_CONVENTIONAL_DEFAULT_METRICS) this.registry.removeSingleMetric(name);
    new Gauge({
      name: 'nlp_memory_usage_bytes',
      help: 'Resident set size of the process',
      registers: [this.registry],
      collect() {
        this.set(process.memoryUsage.rss());
      },
    });
    this.requests = new RequestMetrics(this.registry);
    this.inference = new InferenceMetrics(this.registry);
    this.cache = new CacheMetrics(this.registry, redis);
  }

  /** Probes the GPU once: without an answering `nvidia-smi` the GPU gauge is not registered. */
  async onModuleInit(): Promise<void> {
    const gpus = await registerGpuGauge(this.registry, this.gpu, this.logger);
    if (gpus > 0) this.logger.log(`GPU utilisation metrics enabled for ${gpus} GPU(s)`);
  }

  /** Every metric in the classic text format, or in OpenMetrics with exemplars. */
  exposition(format: ExpositionFormat = 'prometheus'): Promise<string> {
    return format === 'openmetrics'
      ? openMetricsExposition(this.registry)
      : this.registry.metrics();
  }
}
