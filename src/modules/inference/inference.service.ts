import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectConfig, type AppConfig } from '../../config';
import { DynamicBatcher } from './batching/dynamic-batcher';
import type { BatcherStats } from './batching/batcher.types';
import {
  InferenceTimeoutError,
  ModelNotFoundError,
  ModelVersionNotFoundError,
  ModelsNotReadyError,
  QueueFullError,
  ShuttingDownError,
} from './inference.errors';
import {
  INFERENCE_OBSERVER,
  type InferenceObserver,
  type Prediction,
  type TextInput,
} from './inference.types';
import type { LoadedModel, ModelInfo } from './model/loaded-model';
import { discoverModels } from './model/model-discovery';
import { prepareModel, type PreparedModel, type RunnerOptions } from './model/model-loader';
import { toProbabilities } from './postprocess';
import { cpuBudget } from './runtime/cpu-budget';
import { planSessions } from './runtime/session-plan';
import { resolveWorkerScript } from './runtime/worker-script';
import { batchKey } from './text-input';

const PREFERRED_DEFAULT_MODEL = 'spam-en';

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

function describePlacement({ runner, cost }: PreparedModel): string {
  const graph = `${cost.denseWeights.toLocaleString('en')} dense weights${cost.hasAttention ? ', attention' : ''}`;
  return runner.workers === 0
    ? `runs on the event loop (${graph})`
    : `runs in ${runner.workers} worker threads (${graph})`;
}

type LoadState =
  | { readonly phase: 'loading' }
  | { readonly phase: 'ready' }
  | { readonly phase: 'failed'; readonly error: Error };

/**
 * The one inference entry point every module shares: loads the model folders, owns a
 * dynamic batcher per model, and turns texts into predictions.
 */
@Injectable()
export class InferenceService
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger(InferenceService.name);
  private readonly models = new Map<string, LoadedModel>();
  private defaultModelName: string | undefined;
  private state: LoadState = { phase: 'loading' };
  private loading: Promise<void> | undefined;
  private shuttingDown = false;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    @Optional() @Inject(INFERENCE_OBSERVER) private readonly observer?: InferenceObserver,
  ) {}

  /** Loading starts after bootstrap so the server can answer `/ready` with 503 meanwhile. */
  onApplicationBootstrap(): void {
    void this.whenLoaded().catch(() => undefined);
  }

  /** Resolves when every model is loaded and warmed; rejects with the first load error. */
  whenLoaded(): Promise<void> {
    this.loading ??= this.loadAll().then(
      () => {
        this.state = { phase: 'ready' };
      },
      (error: unknown) => {
        const failure = error instanceof Error ? error : new Error(String(error));
        this.state = { phase: 'failed', error: failure };
        throw failure;
      },
    );
    return this.loading;
  }

  isReady(): boolean {
    return this.state.phase === 'ready' && !this.shuttingDown;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  loadError(): Error | undefined {
    return this.state.phase === 'failed' ? this.state.error : undefined;
  }

  listModels(): ModelInfo[] {
    return [...this.models.values()].map((model) => ({
      name: model.name,
      version: model.version,
      dtype: model.dtype,
      labels: model.config.labels,
      problem_type: model.config.problemType,
      max_sequence_length: model.maxSequenceLength,
      provider: model.runner.provider,
      workers: model.runner.workers,
      default: model.name === this.defaultModelName,
    }));
  }

  /** Finds the model a request names (or the default) and checks the requested version. */
  resolveModel(name?: string, version?: string): LoadedModel {
    // Before loading finishes the known-model list is partial: a 404 would be a wrong answer.
    if (this.state.phase !== 'ready') throw new ModelsNotReadyError(this.state.phase);
    const modelName = name ?? this.defaultModelName;
    const model = modelName === undefined ? undefined : this.models.get(modelName);
    if (model === undefined) {
      throw new ModelNotFoundError(modelName ?? '(default)', [...this.models.keys()]);
    }
    if (version !== undefined && version !== 'latest' && version !== model.version) {
      throw new ModelVersionNotFoundError(model.name, version, model.version);
    }
    return model;
  }

  /**
   * Runs texts (or text pairs, for models whose preprocessor `supportsPairs`) through a
   * resolved model's batcher; results in input order.
   */
  async predict(model: LoadedModel, texts: readonly TextInput[]): Promise<Prediction[]> {
    if (this.shuttingDown) throw new ShuttingDownError();
    const tokenizeStart = performance.now();
    const encoded = texts.map((input) =>
      typeof input === 'string'
        ? model.preprocessor.encode(input)
        : model.preprocessor.encode(input.text, input.pair),
    );
    this.observer?.tokenized((performance.now() - tokenizeStart) / 1000);

    const rows = await model.batcher.submit(
      encoded.map((item, index) => ({
        key: batchKey(texts[index]),
        ids: item.ids,
        typeStart: item.typeStart,
      })),
      {
        timeoutMs: this.config.REQUEST_TIMEOUT_MS,
        onTimeout: () => new InferenceTimeoutError(model.name, this.config.REQUEST_TIMEOUT_MS),
        onQueueFull: () => new QueueFullError(model.name, this.retryAfterSeconds(model)),
      },
    );
    return rows.map((logits, index): Prediction => {
      const probabilities = toProbabilities(logits, model.config.activation);
      let best = 0;
      for (let i = 1; i < probabilities.length; i++) {
        if (probabilities[i] > probabilities[best]) best = i;
      }
      const label = model.config.labels[best];
      this.observer?.predicted(model.name, label);
      return {
        label,
        score: probabilities[best],
        probabilities,
        logits: Array.from(logits),
        truncated: encoded[index].truncated,
      };
    });
  }

  batcherStats(modelName: string): BatcherStats | undefined {
    return this.models.get(modelName)?.batcher.stats();
  }

  /** Stops taking work and waits (up to `graceMs`) for queued and running texts to finish. */
  async drain(graceMs: number): Promise<boolean> {
    this.shuttingDown = true;
    const idle = Promise.all([...this.models.values()].map((model) => model.batcher.whenIdle()));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    });
    const drained = await Promise.race([idle.then(() => true as const), timeout]);
    clearTimeout(timer);
    return drained;
  }

  /** Runs before the HTTP server closes: readiness turns 503 and queued work finishes. */
  async beforeApplicationShutdown(): Promise<void> {
    const drained = await this.drain(this.config.SHUTDOWN_GRACE_MS);
    if (!drained) {
      this.logger.warn(
        `Shutdown grace of ${this.config.SHUTDOWN_GRACE_MS} ms ran out with work queued`,
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.models.values()].map((model) => model.runner.release()));
    this.models.clear();
  }

  /** How long the texts already queued should take to clear, from recent run times. */
  private retryAfterSeconds(model: LoadedModel): number {
    const { queueDepth, averageRunMs } = model.batcher.stats();
    const runsAhead = Math.ceil(queueDepth / this.config.MAX_BATCH_SIZE);
    return Math.max(1, Math.ceil((runsAhead * averageRunMs) / 1000));
  }

  private async loadAll(): Promise<void> {
    const sources = discoverModels(
      this.config.MODELS_DIR,
      this.config.MODELS,
      this.config.MODEL_DTYPE,
    );
    const cpu = cpuBudget();
    const plan = (workers: number) =>
      planSessions({
        executionProviders: this.config.EXECUTION_PROVIDERS,
        workers,
        intraOpThreads: this.config.ORT_INTRA_OP_THREADS,
        interOpThreads: this.config.ORT_INTER_OP_THREADS,
        cpu,
      });
    const requested = this.config.INFERENCE_WORKERS;
    const poolSize = requested ?? defaultWorkers(this.config.EXECUTION_PROVIDERS);
    const pooled = plan(poolSize);
    const runnerOptions: RunnerOptions = {
      placement: requested === undefined ? 'auto' : requested === 0 ? 'event-loop' : 'workers',
      eventLoopSession: plan(0).shared,
      pool: {
        size: poolSize,
        depth: WORKER_QUEUE_DEPTH,
        session: pooled.shared,
        soloSession: pooled.solo,
        script: () => resolveWorkerScript(this.config.INFERENCE_WORKER_SCRIPT),
        onWorkerLost: (reason) => this.logger.error(reason),
      },
    };
    for (const source of sources) {
      if (this.shuttingDown) return;
      const started = performance.now();
      const prepared = await prepareModel(source, this.config.MAX_SEQ_LEN, runnerOptions);
      if (prepared.runner.fallbacks.length > 0) {
        this.logger.warn(
          `${source.dir}: falling back to the "${prepared.runner.provider}" execution provider (${prepared.runner.fallbacks.join('; ')})`,
        );
      }
      const seconds = (performance.now() - started) / 1000;
      this.models.set(prepared.name, this.attachBatcher(prepared));
      this.observer?.modelLoaded(prepared.name, seconds);
      this.logger.log(
        `Loaded model "${prepared.name}" (${prepared.dtype}) version ${prepared.version} on ${prepared.runner.provider} in ${seconds.toFixed(2)} s; ${describePlacement(prepared)}`,
      );
    }
    this.defaultModelName = this.pickDefaultModel();
  }

  private pickDefaultModel(): string {
    const requested = this.config.DEFAULT_MODEL;
    if (requested !== undefined) {
      if (!this.models.has(requested)) {
        throw new ModelNotFoundError(requested, [...this.models.keys()]);
      }
      return requested;
    }
    if (this.models.has(PREFERRED_DEFAULT_MODEL)) return PREFERRED_DEFAULT_MODEL;
    return [...this.models.keys()][0];
  }

  private attachBatcher(prepared: PreparedModel): LoadedModel {
    const observer = this.observer;
    const batcher = new DynamicBatcher(
      {
        maxBatchSize: this.config.MAX_BATCH_SIZE,
        maxBatchTokens: this.config.MAX_BATCH_TOKENS ?? defaultBatchTokens(prepared),
        maxBatchDelayMs: this.config.MAX_BATCH_DELAY_MS,
        maxPaddingFraction: this.config.MAX_PADDING_FRACTION,
        concurrency: this.config.INFERENCE_CONCURRENCY ?? prepared.runner.parallelism,
        maxQueueTexts: this.config.MAX_QUEUE_TEXTS,
      },
      (rows, typeStarts) => prepared.runner.run(rows, prepared.preprocessor.padId, typeStarts),
      {
        onRun: (record) =>
          observer?.batchRun(
            prepared.name,
            record.rows,
            record.paddedTokens,
            record.durationMs / 1000,
          ),
        onDispatch: (waits) =>
          observer?.queueWait(
            prepared.name,
            waits.map((ms) => ms / 1000),
          ),
        onQueueDepth: (depth) => observer?.queueDepth(prepared.name, depth),
      },
    );
    return { ...prepared, batcher };
  }
}
