import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type {
  CacheObserver,
  CacheResult,
  CacheTier,
  RateLimitObserver,
  RejectionObserver,
  RejectionReason,
} from '../../common/observability/observers';
import type { InferenceObserver, ModelLoadResult } from '../inference/inference.types';
import { RedisConnection } from '../redis/redis-connection.service';
import { GPU_PROBE, type GpuProbe } from './gpu-probe';

/** One finished HTTP request, as the Fastify onResponse hook saw it. */
export interface RequestObservation {
  /** The route template, or `unmatched`. */
  readonly endpoint: string;
  readonly status: number;
  readonly seconds: number;
  /** Probes and scrapes are counted in the metrics but not in `requestsProcessed`. */
  readonly probe: boolean;
  /** Texts classified and how many came from the cache, for the cache hit rate. */
  readonly texts?: number;
  readonly cached?: number;
  readonly rejection?: RejectionReason;
}

// Records keep these lists exhaustive: a new reason or tier fails to compile until listed.
const REJECTION_REASONS: Record<RejectionReason, true> = {
  validation: true,
  rate_limited: true,
  queue_full: true,
  timeout: true,
  not_found: true,
  unauthorized: true,
  shutting_down: true,
};
const CACHE_TIERS: Record<CacheTier, true> = { memory: true, redis: true };
const CACHE_RESULTS: Record<CacheResult, true> = {
  hit: true,
  miss: true,
  error: true,
  skipped: true,
};

const NON_CONVENTIONAL_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const INFERENCE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const QUEUE_WAIT_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];
const TOKENIZE_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
];
const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];
const BATCH_TOKEN_BUCKETS = [64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];

/**
 * Every Prometheus metric Sift exports, in a registry of its own: two applications in one
 * process (tests, the Lambda handler) never share or clash over series. Implements the
 * observer hooks so the inference, cache and error layers stay free of Prometheus types.
 */
@Injectable()
export class MetricsService
  implements InferenceObserver, CacheObserver, RejectionObserver, RateLimitObserver, OnModuleInit
{
  private readonly logger = new Logger(MetricsService.name);
  readonly registry = new Registry();

  private requestsProcessed = 0;
  private classifiedTexts = 0;
  private cachedTexts = 0;

  private readonly requests: Counter<'endpoint' | 'status'>;
  private readonly requestDuration: Histogram<'endpoint'>;
  private readonly modelLoadTime: Gauge<'model' | 'version'>;
  private readonly modelLoads: Counter<'model' | 'result'>;
  private readonly batchSize: Histogram<'model'>;
  private readonly batchTokens: Histogram<'model'>;
  private readonly queueDepthGauge: Gauge<'model'>;
  private readonly queueWaitTime: Histogram<'model'>;
  private readonly inferenceDuration: Histogram<'model'>;
  private readonly tokenizeDuration: Histogram;
  private readonly predictions: Counter<'model' | 'version' | 'label'>;
  private readonly cacheRequests: Counter<'tier' | 'result'>;
  private readonly redisUpGauge: Gauge | undefined;
  private readonly rejections: Counter<'reason'>;
  private readonly rateLimitFallbacks: Counter;

  constructor(
    redis: RedisConnection,
    @Inject(GPU_PROBE) private readonly gpu: GpuProbe,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    // prom-client exports these sums as gauges named `_total`, which Prometheus' naming rules
    // (promtool) reject; the per-type gauges (`nodejs_active_handles{type}`) carry the same data.
    for (const name of NON_CONVENTIONAL_DEFAULT_METRICS) this.registry.removeSingleMetric(name);

    this.requests = new Counter({
      name: 'nlp_requests_total',
      help: 'HTTP requests answered, by route template and status code',
      labelNames: ['endpoint', 'status'],
      registers,
    });
    this.requestDuration = new Histogram({
      name: 'nlp_request_duration_seconds',
      help: 'Time from receiving a request to finishing its response, by route template',
      labelNames: ['endpoint'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.modelLoadTime = new Gauge({
      name: 'nlp_model_load_time_seconds',
      help: 'Seconds it took to load and warm each model version',
      labelNames: ['model', 'version'],
      registers,
    });
    this.modelLoads = new Counter({
      name: 'nlp_model_loads_total',
      help: 'Model version loads (success, failure) and unloads, by model',
      labelNames: ['model', 'result'],
      registers,
    });
    new Gauge({
      name: 'nlp_memory_usage_bytes',
      help: 'Resident set size of the process',
      registers,
      collect() {
        this.set(process.memoryUsage.rss());
      },
    });
    const hitRate: Gauge = new Gauge({
      name: 'nlp_cache_hit_rate',
      help: 'Share of classified texts answered from the prediction cache since start (0..1)',
      registers,
      collect: () => hitRate.set(this.cacheHitRate()),
    });
    this.cacheRequests = new Counter({
      name: 'nlp_cache_requests_total',
      help: 'Prediction cache lookups by tier and result, counted per text',
      labelNames: ['tier', 'result'],
      registers,
    });
    // Only a configured Redis gets a gauge: a permanent 0 would read as an outage.
    const redisUp: Gauge | undefined = redis.configured
      ? new Gauge({
          name: 'nlp_cache_redis_up',
          help: '1 while the shared Redis connection is ready for commands, else 0',
          registers,
          collect: () => redisUp?.set(redis.isUp() ? 1 : 0),
        })
      : undefined;
    this.redisUpGauge = redisUp;
    this.batchSize = new Histogram({
      name: 'nlp_batch_size',
      help: 'Rows per ONNX run',
      labelNames: ['model'],
      buckets: BATCH_SIZE_BUCKETS,
      registers,
    });
    this.batchTokens = new Histogram({
      name: 'nlp_batch_tokens',
      help: 'Padded tokens (rows x longest row) per ONNX run',
      labelNames: ['model'],
      buckets: BATCH_TOKEN_BUCKETS,
      registers,
    });
    this.queueDepthGauge = new Gauge({
      name: 'nlp_queue_depth',
      help: 'Texts waiting for an ONNX run',
      labelNames: ['model'],
      registers,
    });
    this.queueWaitTime = new Histogram({
      name: 'nlp_queue_wait_seconds',
      help: 'Time each text waited in the batch queue before its run started',
      labelNames: ['model'],
      buckets: QUEUE_WAIT_BUCKETS,
      registers,
    });
    this.inferenceDuration = new Histogram({
      name: 'nlp_inference_duration_seconds',
      help: 'Duration of one ONNX run',
      labelNames: ['model'],
      buckets: INFERENCE_BUCKETS,
      registers,
    });
    this.tokenizeDuration = new Histogram({
      name: 'nlp_tokenize_duration_seconds',
      help: 'Time to tokenize the texts of one request',
      buckets: TOKENIZE_BUCKETS,
      registers,
    });
    this.predictions = new Counter({
      name: 'nlp_predictions_total',
      help: 'Texts classified by the model, by top label (cache hits are not counted)',
      labelNames: ['model', 'version', 'label'],
      registers,
    });
    this.rejections = new Counter({
      name: 'nlp_rejected_total',
      help: 'Requests refused, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.rateLimitFallbacks = new Counter({
      name: 'nlp_rate_limit_fallback_total',
      help: "Rate-limit checks counted in this replica's memory because Redis could not be used",
      registers,
    });

    // Known label sets start at 0 so rate() and absent() work before the first event.
    for (const reason of Object.keys(REJECTION_REASONS) as RejectionReason[]) {
      this.rejections.inc({ reason }, 0);
    }
    for (const tier of Object.keys(CACHE_TIERS) as CacheTier[]) {
      for (const result of Object.keys(CACHE_RESULTS) as CacheResult[]) {
        this.cacheRequests.inc({ tier, result }, 0);
      }
    }
  }

  /** Probes the GPU once: without an answering `nvidia-smi` the GPU gauge is not registered. */
  async onModuleInit(): Promise<void> {
    const readings = await this.gpu.read();
    if (readings === undefined) return;
    const probe = this.gpu;
    const logger = this.logger;
    new Gauge({
      name: 'nlp_gpu_utilization_percent',
      help: 'GPU utilisation reported by nvidia-smi, by GPU index (0..100)',
      labelNames: ['gpu'],
      registers: [this.registry],
      async collect() {
        const current = await probe.read();
        // A GPU that stops answering reports nothing rather than its last value.
        this.reset();
        if (current === undefined) {
          logger.debug('nvidia-smi did not answer during a scrape');
          return;
        }
        for (const { gpu, percent } of current) this.set({ gpu }, percent);
      },
    });
    this.logger.log(`GPU utilisation metrics enabled for ${readings.length} GPU(s)`);
  }

  /** The text exposition of every metric. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  requestFinished(observation: RequestObservation): void {
    const { endpoint, status, seconds } = observation;
    this.requests.inc({ endpoint, status: String(status) });
    this.requestDuration.observe({ endpoint }, seconds);
    if (observation.rejection !== undefined) this.rejected(observation.rejection);
    if (!observation.probe) this.requestsProcessed++;
    if (status >= 200 && status < 300 && observation.texts !== undefined) {
      this.classifiedTexts += observation.texts;
      this.cachedTexts += observation.cached ?? 0;
    }
  }

  /** Requests answered since start, probes and scrapes left out. */
  processedRequests(): number {
    return this.requestsProcessed;
  }

  /** Share of successfully classified texts that came from the cache; 0 before any. */
  cacheHitRate(): number {
    return this.classifiedTexts === 0 ? 0 : this.cachedTexts / this.classifiedTexts;
  }

  modelLoaded(model: string, version: string, seconds: number): void {
    this.modelLoadTime.set({ model, version }, seconds);
  }

  modelLoadEvent(model: string, result: ModelLoadResult): void {
    this.modelLoads.inc({ model, result });
  }

  batchRun(model: string, rows: number, paddedTokens: number, seconds: number): void {
    this.batchSize.observe({ model }, rows);
    this.batchTokens.observe({ model }, paddedTokens);
    this.inferenceDuration.observe({ model }, seconds);
  }

  queueWait(model: string, seconds: readonly number[]): void {
    for (const wait of seconds) this.queueWaitTime.observe({ model }, wait);
  }

  queueDepth(model: string, depth: number): void {
    this.queueDepthGauge.set({ model }, depth);
  }

  tokenized(seconds: number): void {
    this.tokenizeDuration.observe(seconds);
  }

  predicted(model: string, version: string, label: string): void {
    this.predictions.inc({ model, version, label });
  }

  cacheRequest(tier: CacheTier, result: CacheResult, count = 1): void {
    // prom-client throws on a negative increment; a cache bug must not fail a request.
    if (count > 0) this.cacheRequests.inc({ tier, result }, count);
  }

  /** Reported by the cache; each scrape re-reads the shared connection as well. */
  redisUp(up: boolean): void {
    this.redisUpGauge?.set(up ? 1 : 0);
  }

  rejected(reason: RejectionReason): void {
    this.rejections.inc({ reason });
  }

  /** RateLimitObserver: a rate-limit check counted in memory because Redis was unusable. */
  rateLimitFallback(): void {
    this.rateLimitFallbacks.inc();
  }
}
