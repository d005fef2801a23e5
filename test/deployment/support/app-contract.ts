import { ENV_VARIABLES, type AppConfig } from '../../../src/config/env.schema';
import { loadConfig } from '../../../src/config/load-config';

/** The configuration the app runs with when no variable is set. */
export const DEFAULT_CONFIG: AppConfig = loadConfig({});

const APP_VARIABLES: ReadonlySet<string> = new Set(ENV_VARIABLES);

/**
 * Variables deployment files may set that the app's schema does not read: each is read by
 * Node or a library, not by src/config.
 */
export const NON_APP_VARIABLES: ReadonlySet<string> = new Set([
  'NODE_ENV', // Node and libraries: production mode
  'ONNXRUNTIME_NODE_INSTALL', // onnxruntime-node's install script: skip the CUDA download
  'MALLOC_ARENA_MAX', // glibc: cap the per-thread malloc arenas ONNX Runtime's threads leave behind
]);

/** Names that are neither app configuration nor a known non-app variable. */
export function unknownVariables(names: Iterable<string>): string[] {
  return [...names].filter((name) => !APP_VARIABLES.has(name) && !NON_APP_VARIABLES.has(name));
}

/**
 * Routes deployment files point at. Probes are checked against these constants here and
 * against the booted app's route table in probes.e2e-spec.ts.
 */
export const ROUTES = {
  liveness: '/health',
  readiness: '/ready',
  metrics: '/metrics',
  classify: '/classify',
  classifyBatch: '/classify/batch',
} as const;

/**
 * Metric names the app exports (src/modules/metrics), plus the prom-client defaults that the
 * dashboards and alerts use. Histograms expose `_bucket`, `_sum` and `_count` series.
 */
export const APP_METRICS: ReadonlySet<string> = new Set([
  'nlp_requests_total',
  'nlp_request_duration_seconds',
  'nlp_model_load_time_seconds',
  'nlp_memory_usage_bytes',
  'nlp_gpu_utilization_percent',
  'nlp_cache_hit_rate',
  'nlp_cache_requests_total',
  'nlp_batch_size',
  'nlp_batch_tokens',
  'nlp_queue_depth',
  'nlp_queue_wait_seconds',
  'nlp_inference_duration_seconds',
  'nlp_tokenize_duration_seconds',
  'nlp_predictions_total',
  'nlp_rejected_total',
  'nlp_cache_redis_up',
  'process_resident_memory_bytes',
]);

const HISTOGRAM_SUFFIX = /_(bucket|sum|count)$/;

/** Metric names a PromQL expression reads (`nlp_*` and `process_*`), histogram suffixes removed. */
export function metricsIn(expression: string): string[] {
  const names = expression.match(/\b(?:nlp|process)_[a-z0-9_]+/g) ?? [];
  return [
    ...new Set(
      names.map((name) => (APP_METRICS.has(name) ? name : name.replace(HISTOGRAM_SUFFIX, ''))),
    ),
  ];
}
