import { Logger } from '@nestjs/common';
import type { AppConfig } from '../../../config';
import type { RunTexts } from '../batching/batcher.types';
import { DynamicBatcher } from '../batching/dynamic-batcher';
import type { InferenceObserver } from '../inference.types';
import { saturationWarning } from '../model/int8-weight-range';
import type { LoadedModel } from '../model/loaded-model';
import {
  prepareModel,
  type PreparedModel,
  type RunnerOptions,
  type VersionSource,
} from '../model/model-loader';
import { cpuBudget } from '../runtime/cpu-budget';
import { type CpuFeatures, readCpuFeatures } from '../runtime/cpu-features';
import type { OnnxSessionOptions } from '../runtime/onnx-graph';
import { planSessions } from '../runtime/session-plan';
import { resolveWorkerScript } from '../runtime/worker-script';
import { traceIdOf } from '../../../common/observability/request-trace';
import { inSpan } from '../../tracing/tracer';

/** What an `onnx run` span says of the run: the model, where it ran, its size. */
function runAttributes(
  model: PreparedModel,
  placement: string,
  rows: number,
): Record<string, string | number> {
  return {
    'sift.model': model.name,
    'sift.model.version': versionLabel(model),
    'sift.provider': model.runner.provider,
    'sift.placement': placement,
    'sift.batch.rows': rows,
  };
}

/**
 * Padded-token budget of one run when MAX_BATCH_TOKENS is unset. On CPU a 300-token text
 * already fills a transformer's GEMMs, and bigger runs only add padding and memory traffic
 * (bert-bench on 2 cores: 44 texts/s with 16384 and 72 with 512 at c=64); short texts still
 * batch up to MAX_BATCH_SIZE. Light graphs (isLightGraph: embedding lookups and
 * a small head) are the opposite: their per-run overhead dominates, and large batches amortise
 * it (spam-en at c=64: +17% with 16384). GPUs gain from large runs.
 */
function defaultBatchTokens({ runner, light }: PreparedModel): number {
  if (runner.provider !== 'cpu') return 16384;
  return light ? 16384 : 512;
}

/**
 * Worker threads per model when INFERENCE_WORKERS is unset. Two sessions on CPU: while one
 * runs, the other starts the next batch, which kept both cores busy where a single session
 * left gaps between runs (bert-bench on 2 cores: +12–20% texts/s). One on CUDA, where a
 * second session would double the model's GPU memory.
 */
function defaultWorkers(providers: readonly string[]): number {
  return providers[0] === 'cuda' ? 1 : 2;
}

/**
 * Batches handed to a worker at once: the next one is already queued in the worker when a
 * run ends (bert-bench c=64: workers sat idle 7.5% of the time waiting for the event loop).
 */
const WORKER_QUEUE_DEPTH = 2;

/** Where a light graph's texts are encoded and run off the event loop: the tokenizer threads. */
export interface TextRunnerFactory {
  /** Runs that may be in flight at once: one per thread. */
  readonly parallelism: number;
  /**
   * RunTexts for `model`, whose graph a thread opens with `session`; undefined when there are
   * no threads to do it.
   */
  create(model: PreparedModel, session: OnnxSessionOptions): RunTexts | undefined;
  /** `model` was released: whatever `create` loaded for it may go. */
  forget(model: PreparedModel): void;
}

function describePlacement({ runner, cost }: PreparedModel, fused: boolean): string {
  const graph = `${cost.denseWeights.toLocaleString('en')} dense weights${cost.hasAttention ? ', attention' : ''}`;
  if (runner.workers > 0) return `runs in ${runner.workers} worker threads (${graph})`;
  return fused
    ? `runs on the event loop when alone, else in the tokenizer threads (${graph})`
    : `runs on the event loop (${graph})`;
}

/** The version identity metrics and logs use: the folder's number, else the content hash. */
export function versionLabel(model: Pick<LoadedModel, 'version' | 'versionNumber'>): string {
  return model.versionNumber === undefined ? model.version : String(model.versionNumber);
}

/**
 * Turns one version folder into a warmed model with its own batcher, placed by the global
 * settings unless the model's sift.json overrides them.
 */
export class VersionLoader {
  private readonly logger = new Logger(VersionLoader.name);

  constructor(
    private readonly config: AppConfig,
    private readonly observer: InferenceObserver | undefined,
    private readonly textRunners?: TextRunnerFactory,
    /** The processor's int8 facts; a parameter so a test can stand on a CPU without VNNI. */
    private readonly cpu: () => CpuFeatures = readCpuFeatures,
  ) {}

  async load(source: VersionSource): Promise<LoadedModel> {
    const started = performance.now();
    const options = this.runnerOptions(source.policy.workers);
    const prepared = await prepareModel(source, this.config.MAX_SEQ_LEN, options);
    if (prepared.runner.fallbacks.length > 0) {
      this.logger.warn(
        `${source.dir}: falling back to the "${prepared.runner.provider}" execution provider (${prepared.runner.fallbacks.join('; ')})`,
      );
    }
    const saturation =
      prepared.runner.provider === 'cpu'
        ? saturationWarning(prepared.name, prepared.fullRangeInt8Weights, this.cpu().u8s8Saturates)
        : undefined;
    if (saturation !== undefined) this.logger.warn(saturation);
    const seconds = (performance.now() - started) / 1000;
    // A light graph under `auto` placement on CPU also runs in the tokenizer threads under
    // load, where encoding and running cost the event loop one hop (see InferenceService).
    const fusable =
      options.placement === 'auto' &&
      prepared.light &&
      prepared.runner.workers === 0 &&
      prepared.runner.provider === 'cpu';
    const runTexts = fusable
      ? this.textRunners?.create(prepared, {
          ...options.lightGraphSession,
          executionProviders: ['cpu'],
        })
      : undefined;
    const loaded = this.attachBatcher(prepared, source, runTexts);
    this.observer?.modelLoaded(prepared.name, versionLabel(prepared), seconds);
    const number = prepared.versionNumber === undefined ? '' : ` ${prepared.versionNumber}`;
    this.logger.log(
      `Loaded model "${prepared.name}" (${prepared.dtype}) version${number} ${prepared.version} on ${prepared.runner.provider} in ${seconds.toFixed(2)} s; ${describePlacement(prepared, runTexts !== undefined)}`,
    );
    return loaded;
  }

  private runnerOptions(workersOverride: number | undefined): RunnerOptions {
    const cpu = cpuBudget();
    const plan = (workers: number) =>
      planSessions({
        executionProviders: this.config.EXECUTION_PROVIDERS,
        workers,
        intraOpThreads: this.config.ORT_INTRA_OP_THREADS,
        interOpThreads: this.config.ORT_INTER_OP_THREADS,
        cpu,
      });
    const requested = workersOverride ?? this.config.INFERENCE_WORKERS;
    const poolSize = requested ?? defaultWorkers(this.config.EXECUTION_PROVIDERS);
    const pooled = plan(poolSize);
    return {
      placement: requested === undefined ? 'auto' : requested === 0 ? 'event-loop' : 'workers',
      eventLoopSession: plan(0).shared,
      lightGraphSession: {
        ...plan(0).shared,
        intraOpThreads: this.config.ORT_INTRA_OP_THREADS || 1,
        allowSpinning: false,
      },
      pool: {
        size: poolSize,
        depth: WORKER_QUEUE_DEPTH,
        session: pooled.shared,
        soloSession: pooled.solo,
        script: () => resolveWorkerScript(this.config.INFERENCE_WORKER_SCRIPT),
        onWorkerLost: (reason) => this.logger.error(reason),
      },
    };
  }

  private attachBatcher(
    prepared: PreparedModel,
    source: VersionSource,
    runTexts: RunTexts | undefined,
  ): LoadedModel {
    const observer = this.observer;
    const workers = prepared.runner.workers;
    const batcher = new DynamicBatcher(
      {
        maxBatchSize: this.config.MAX_BATCH_SIZE,
        maxBatchTokens:
          source.policy.maxBatchTokens ??
          this.config.MAX_BATCH_TOKENS ??
          defaultBatchTokens(prepared),
        maxBatchDelayMs: this.config.MAX_BATCH_DELAY_MS,
        maxPaddingFraction: this.config.MAX_PADDING_FRACTION,
        // With runTexts, runs of unencoded texts go to the threads, one per thread at a time.
        concurrency:
          this.config.INFERENCE_CONCURRENCY ??
          Math.max(
            prepared.runner.parallelism,
            runTexts === undefined ? 0 : (this.textRunners?.parallelism ?? 0),
          ),
        maxQueueTexts: this.config.MAX_QUEUE_TEXTS,
      },
      (rows, typeStarts, trace) =>
        inSpan(
          trace,
          'onnx run',
          () => ({
            ...runAttributes(prepared, workers > 0 ? 'worker-threads' : 'event-loop', rows.length),
            'sift.batch.padded_tokens': rows.length * Math.max(0, ...rows.map((row) => row.length)),
          }),
          () => prepared.runner.run(rows, prepared.preprocessor.padId, typeStarts),
        ),
      {
        onRun: (record) =>
          observer?.batchRun(
            prepared.name,
            record.rows,
            record.paddedTokens,
            record.durationMs / 1000,
            traceIdOf(record.trace),
          ),
        onDispatch: (waits) =>
          observer?.queueWait(
            prepared.name,
            waits.map((ms) => ms / 1000),
          ),
        onQueueDepth: (depth) => observer?.queueDepth(prepared.name, depth),
      },
      runTexts &&
        ((texts, trace) =>
          // Encoded and run in one hop in a tokenizer thread: one span for both.
          inSpan(
            trace,
            'tokenize and onnx run',
            () => runAttributes(prepared, 'tokenizer-threads', texts.length),
            () => runTexts(texts, trace),
            (run) => ({ 'sift.batch.padded_tokens': run.paddedTokens }),
          )),
    );
    return { ...prepared, batcher, defaultTopK: source.policy.defaultTopK };
  }
}
