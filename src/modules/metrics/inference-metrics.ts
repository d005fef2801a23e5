import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { traceExemplar } from './openmetrics';
import type { InferenceObserver, ModelLoadResult } from '../inference/inference.types';

const INFERENCE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const QUEUE_WAIT_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];
const TOKENIZE_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
];
const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];
const BATCH_TOKEN_BUCKETS = [64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];

/** What the inference layer reports: model loads, batches, queueing, tokenizing, predictions. */
export class InferenceMetrics implements InferenceObserver {
  private readonly loadTime: Gauge<'model' | 'version'>;
  private readonly loads: Counter<'model' | 'result'>;
  private readonly batchSize: Histogram<'model'>;
  private readonly batchTokens: Histogram<'model'>;
  private readonly queueDepthGauge: Gauge<'model'>;
  private readonly queueWaitTime: Histogram<'model'>;
  // `trace_id` is an exemplar label only (prom-client types them with the label names).
  private readonly inferenceDuration: Histogram<'model' | 'trace_id'>;
  private readonly tokenizeDuration: Histogram<'trace_id'>;
  private readonly predictions: Counter<'model' | 'version' | 'label'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.loadTime = new Gauge({
      name: 'nlp_model_load_time_seconds',
      help: 'Seconds it took to load and warm each model version',
      labelNames: ['model', 'version'],
      registers,
    });
    this.loads = new Counter({
      name: 'nlp_model_loads_total',
      help: 'Model version loads (success, failure) and unloads, by model',
      labelNames: ['model', 'result'],
      registers,
    });
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
    // Both carry exemplars: a run's points at its `batch` trace, tokenizing at the request's.
    // Registered by hand: prom-client refuses exemplars in a classic registry's constructor
    // call, and only the OpenMetrics exposition (openmetrics.ts) prints them.
    this.inferenceDuration = new Histogram({
      name: 'nlp_inference_duration_seconds',
      help: 'Duration of one ONNX run (in the tokenizer threads: the texts encoded and run, hop included)',
      labelNames: ['model'],
      buckets: INFERENCE_BUCKETS,
      enableExemplars: true,
      registers: [],
    });
    this.tokenizeDuration = new Histogram({
      name: 'nlp_tokenize_duration_seconds',
      help: 'Time to tokenize the texts of one request, on the event loop or in tokenizer threads (their queue included); for a light graph run in the threads, the encoding of one run',
      buckets: TOKENIZE_BUCKETS,
      enableExemplars: true,
      registers: [],
    });
    registry.registerMetric(this.inferenceDuration);
    registry.registerMetric(this.tokenizeDuration);
    this.predictions = new Counter({
      name: 'nlp_predictions_total',
      help: 'Texts classified by the model, by top label (cache hits are not counted)',
      labelNames: ['model', 'version', 'label'],
      registers,
    });
  }

  modelLoaded(model: string, version: string, seconds: number): void {
    this.loadTime.set({ model, version }, seconds);
  }

  modelLoadEvent(model: string, result: ModelLoadResult): void {
    this.loads.inc({ model, result });
  }

  batchRun(
    model: string,
    rows: number,
    paddedTokens: number,
    seconds: number,
    traceId?: string,
  ): void {
    this.batchSize.observe({ model }, rows);
    this.batchTokens.observe({ model }, paddedTokens);
    this.inferenceDuration.observe({
      labels: { model },
      value: seconds,
      exemplarLabels: traceExemplar(traceId),
    });
  }

  queueWait(model: string, seconds: readonly number[]): void {
    for (const wait of seconds) this.queueWaitTime.observe({ model }, wait);
  }

  queueDepth(model: string, depth: number): void {
    this.queueDepthGauge.set({ model }, depth);
  }

  tokenized(seconds: number, traceId?: string): void {
    this.tokenizeDuration.observe({
      value: seconds,
      exemplarLabels: traceExemplar(traceId),
    });
  }

  predicted(model: string, version: string, label: string): void {
    this.predictions.inc({ model, version, label });
  }
}
