import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { RateLimitObserver, RejectionReason } from '../../common/observability/observers';
import { traceExemplar } from './openmetrics';

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
  /** The request's trace when it was sampled: the duration's exemplar points at it. */
  readonly traceId?: string;
}

// A Record keeps this list exhaustive: a new reason fails to compile until listed.
const REJECTION_REASONS: Record<RejectionReason, true> = {
  validation: true,
  rate_limited: true,
  queue_full: true,
  timeout: true,
  not_found: true,
  unauthorized: true,
  shutting_down: true,
};

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * What the HTTP edge reports: requests by route and status, their durations, refusals by
 * reason, rate-limit checks that fell back to memory, and the cache hit rate over what was
 * classified.
 */
export class RequestMetrics implements RateLimitObserver {
  private requestsProcessed = 0;
  private classifiedTexts = 0;
  private cachedTexts = 0;
  private readonly requests: Counter<'endpoint' | 'status'>;
  // prom-client types exemplar labels with the metric's label names, hence `trace_id` here;
  // observe() below never passes it as a series label.
  private readonly duration: Histogram<'endpoint' | 'trace_id'>;
  private readonly rejections: Counter<'reason'>;
  private readonly rateLimitFallbacks: Counter;
  private readonly rateLimitLocalGauge: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'nlp_requests_total',
      help: 'HTTP requests answered, by route template and status code',
      labelNames: ['endpoint', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'nlp_request_duration_seconds',
      help: 'Time from receiving a request to finishing its response, by route template',
      labelNames: ['endpoint'],
      buckets: DURATION_BUCKETS,
      // Each bucket keeps the trace id of its latest sampled request; only the OpenMetrics
      // exposition shows them (see openmetrics.ts). prom-client refuses exemplars on a metric
      // constructed into a classic registry, so it is registered by hand.
      enableExemplars: true,
      registers: [],
    });
    registry.registerMetric(this.duration);
    const hitRate: Gauge = new Gauge({
      name: 'nlp_cache_hit_rate',
      help: 'Share of classified texts answered from the prediction cache since start (0..1)',
      registers,
      collect: () => hitRate.set(this.cacheHitRate()),
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
    this.rateLimitLocalGauge = new Gauge({
      name: 'nlp_rate_limit_local',
      help: "1 while rate-limit counters are kept in this replica's memory although Redis is configured (the limit is then per replica)",
      registers,
    });
    this.rateLimitLocalGauge.set(0);
    // Known reasons start at 0 so rate() and absent() work before the first refusal.
    for (const reason of Object.keys(REJECTION_REASONS) as RejectionReason[]) {
      this.rejections.inc({ reason }, 0);
    }
  }

  requestFinished(observation: RequestObservation): void {
    const { endpoint, status, seconds } = observation;
    this.requests.inc({ endpoint, status: String(status) });
    this.duration.observe({
      labels: { endpoint },
      value: seconds,
      exemplarLabels: traceExemplar(observation.traceId),
    });
    if (observation.rejection !== undefined) this.rejections.inc({ reason: observation.rejection });
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

  /** RateLimitObserver: a rate-limit check counted in memory because Redis was unusable. */
  rateLimitFallback(): void {
    this.rateLimitFallbacks.inc();
  }

  /** RateLimitObserver: counters moved to memory (Redis unusable) or back to Redis. */
  rateLimitLocal(local: boolean): void {
    this.rateLimitLocalGauge.set(local ? 1 : 0);
  }
}
