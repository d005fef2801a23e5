import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectConfig, SHIPPED_DEFAULT_MODEL, type AppConfig } from '../../config';
import { HubModels } from '../hub';
import type { BatchInput } from './batching/batcher.types';
import {
  InferenceTimeoutError,
  ModelNotFoundError,
  ModelsNotReadyError,
  QueueFullError,
  ShuttingDownError,
} from './inference.errors';
import {
  INFERENCE_OBSERVER,
  type InferenceObserver,
  type PredictOptions,
  type Prediction,
  type TextInput,
} from './inference.types';
import { chooseDefaultModel } from './model/default-model';
import {
  describeModel,
  type LoadedModel,
  type ModelInfo,
  type VersionInfo,
} from './model/loaded-model';
import { toPrediction } from './postprocess';
import {
  ModelLifecycle,
  type VersionLoadOutcome,
  type VersionUnloadedListener,
} from './repository/model-lifecycle';
import type { RepositoryIndexEntry } from './repository/model-registry';
import { RepositoryPoller } from './repository/repository-poller';
import { versionLabel } from './repository/version-loader';
import { estimateTokens, ThreadTextRunners } from './runtime/thread-text-runners';
import { defaultTokenizerThreads, TokenizerPool } from './runtime/tokenizer-pool';
import { resolveTokenizerWorkerScript } from './runtime/worker-script';
import { batchKey } from './text-input';
import { traceIdOf } from '../../common/observability/request-trace';
import { inSpan } from '../tracing/tracer';

type LoadState =
  | { readonly phase: 'loading' }
  | { readonly phase: 'ready' }
  | { readonly phase: 'failed'; readonly error: Error };

/**
 * The one inference entry point every module shares: turns texts into predictions through a
 * model version's batcher. What is loaded, and loading itself, live in the ModelLifecycle
 * and its registry.
 */
@Injectable()
export class InferenceService
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger(InferenceService.name);
  private readonly lifecycle: ModelLifecycle;
  private readonly poller: RepositoryPoller;
  private readonly tokenizers: TokenizerPool;
  /** predict calls in progress: a lone one is encoded and run in place (see TokenizerPool). */
  private predicting = 0;
  private defaultModelName: string | undefined;
  private state: LoadState = { phase: 'loading' };
  private loading: Promise<void> | undefined;
  private shuttingDown = false;
  private readonly textRunners: ThreadTextRunners;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly hub: HubModels,
    @Optional() @Inject(INFERENCE_OBSERVER) private readonly observer?: InferenceObserver,
  ) {
    this.tokenizers = new TokenizerPool({
      size: config.TOKENIZER_THREADS ?? defaultTokenizerThreads(),
      script: () => resolveTokenizerWorkerScript(config.INFERENCE_WORKER_SCRIPT),
    });
    this.textRunners = new ThreadTextRunners(
      this.tokenizers,
      config.MAX_PADDING_FRACTION,
      observer,
    );
    this.lifecycle = new ModelLifecycle(config, observer, this.textRunners);
    this.poller = new RepositoryPoller(this.lifecycle);
  }

  /** Loading starts after bootstrap so the server can answer `/ready` with 503 meanwhile. */
  onApplicationBootstrap(): void {
    void this.whenLoaded().catch(() => undefined);
  }

  /**
   * Resolves when every model is loaded and warmed and the default model chosen; rejects with
   * the first error of any of those steps, which `/health` and `/ready` then report.
   */
  whenLoaded(): Promise<void> {
    this.loading ??= this.load().catch((error: unknown) => {
      const failure = error instanceof Error ? error : new Error(String(error));
      this.state = { phase: 'failed', error: failure };
      throw failure;
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    const fetched = await this.hub.fetchConfigured();
    await this.lifecycle.loadConfigured(
      fetched.map(({ name, dir, graph, dtype, source }) => ({
        name,
        dir,
        graph,
        dtype,
        origin: source,
      })),
    );
    this.defaultModelName = chooseDefaultModel(this.lifecycle.registry.servingNames(), {
      requested: this.config.DEFAULT_MODEL,
      preferred: SHIPPED_DEFAULT_MODEL,
    });
    this.state = { phase: 'ready' };
    // In the background: readiness does not wait for it, and until a thread has a model's
    // tokenizer its tasks wait for the load (tens of milliseconds) instead of failing.
    for (const model of this.lifecycle.registry.allServing()) {
      void this.tokenizers.warm(this.textRunners.warmTarget(model));
    }
    const seconds = this.config.MODEL_POLL_SECONDS;
    if (seconds !== undefined && !this.shuttingDown) this.poller.start(seconds);
  }

  /** Loaded, not draining, and every model not unloaded on request has a version serving. */
  isReady(): boolean {
    if (this.state.phase !== 'ready' || this.shuttingDown) return false;
    const { registry } = this.lifecycle;
    return registry
      .entries()
      .every((entry) => entry.retired || registry.serving(entry.name).length > 0);
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  loadError(): Error | undefined {
    return this.state.phase === 'failed' ? this.state.error : undefined;
  }

  /** Every model with a version serving, described by its latest; all versions listed. */
  listModels(): ModelInfo[] {
    const { registry } = this.lifecycle;
    return registry.names().flatMap((name): ModelInfo[] => {
      const model = registry.latest(name);
      if (model === undefined) return [];
      return [describeModel(model, name === this.defaultModelName, registry.versions(name))];
    });
  }

  /** Every model's versions with their state, for `/health`. */
  versionStates(): Record<string, VersionInfo[]> {
    const { registry } = this.lifecycle;
    return Object.fromEntries(registry.names().map((name) => [name, registry.versions(name)]));
  }

  /** The versions of a model serving now (two for a moment while one replaces the other). */
  servingVersions(name: string): LoadedModel[] {
    return this.lifecycle.registry.serving(name);
  }

  /** Every version in the repository with its state and reason (Triton's repository index). */
  repositoryIndex(): RepositoryIndexEntry[] {
    return this.lifecycle.registry.index();
  }

  /** Loads or reloads a model's versions at run time; see ModelLifecycle.load. */
  loadModel(name: string, versions?: readonly number[]): Promise<VersionLoadOutcome[]> {
    return this.lifecycle.load(name, versions);
  }

  /** Unloads every version of a model, each after its queued requests finish. */
  unloadModel(name: string): Promise<void> {
    return this.lifecycle.unload(name);
  }

  /** Calls `listener` after a version's sessions are released. */
  onVersionUnloaded(listener: VersionUnloadedListener): void {
    this.lifecycle.onVersionUnloaded(listener);
  }

  /**
   * Finds the model a request names (or the default) at the version it names: `latest`
   * (the default), a version folder's number, or a content hash.
   */
  resolveModel(name?: string, version?: string): LoadedModel {
    // Before loading finishes the known-model list is partial: a 404 would be a wrong answer.
    if (this.state.phase !== 'ready') throw new ModelsNotReadyError(this.state.phase);
    const modelName = name ?? this.defaultModelName;
    if (modelName === undefined) {
      throw new ModelNotFoundError('(default)', this.lifecycle.registry.servingNames());
    }
    return this.lifecycle.registry.resolve(modelName, version);
  }

  /**
   * Runs texts (or text pairs, for models whose preprocessor `supportsPairs`) through a
   * resolved model's batcher; results in input order. An aborted `signal` drops the texts
   * not yet in a run and rejects with an `AbortError`; `trace` parents the steps' spans.
   */
  async predict(
    resolved: LoadedModel,
    texts: readonly TextInput[],
    options: PredictOptions = {},
  ): Promise<Prediction[]> {
    if (this.shuttingDown) throw new ShuttingDownError();
    const model = this.lifecycle.stillServed(resolved);
    this.predicting++;
    try {
      return await this.encodeAndRun(model, texts, options);
    } finally {
      this.predicting--;
    }
  }

  private async encodeAndRun(
    model: LoadedModel,
    texts: readonly TextInput[],
    { signal, trace }: PredictOptions,
  ): Promise<Prediction[]> {
    const alone = this.predicting === 1;
    let inputs: BatchInput[];
    let truncated: readonly boolean[] | undefined;
    if (!alone && model.batcher.encodesTexts && this.tokenizers.available(model)) {
      // Encoded in the run, in a tokenizer thread (ThreadTextRunners).
      inputs = texts.map((text) => ({
        key: batchKey(text),
        text,
        estimatedTokens: estimateTokens(text, model.maxSequenceLength),
      }));
    } else {
      const tokenizeStart = performance.now();
      const encoded = await inSpan(trace, 'tokenize', { 'sift.texts': texts.length }, () =>
        this.tokenizers.encode(model, texts, alone),
      );
      this.observer?.tokenized((performance.now() - tokenizeStart) / 1000, traceIdOf(trace));
      inputs = encoded.map((item, index) => ({
        key: batchKey(texts[index]),
        ids: item.ids,
        typeStart: item.typeStart,
      }));
      truncated = encoded.map((item) => item.truncated);
    }
    const rows = await model.batcher.submit(inputs, {
      timeoutMs: this.config.REQUEST_TIMEOUT_MS,
      onTimeout: () => new InferenceTimeoutError(model.name, this.config.REQUEST_TIMEOUT_MS),
      onQueueFull: () => new QueueFullError(model.name, model.batcher.secondsToClear()),
      signal,
      trace,
    });
    const version = versionLabel(model);
    return rows.map(({ logits, truncated: cut }, index): Prediction => {
      const prediction = toPrediction(logits, model.config, truncated?.[index] ?? cut ?? false);
      this.observer?.predicted(model.name, version, prediction.label);
      return prediction;
    });
  }

  /** Stops taking work and waits (up to `graceMs`) for queued and running texts to finish. */
  async drain(graceMs: number): Promise<boolean> {
    this.shuttingDown = true;
    await this.poller.stop();
    const serving = this.lifecycle.registry.allServing();
    const idle = Promise.all(serving.map((model) => model.batcher.whenIdle()));
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
    await this.poller.stop();
    await this.tokenizers.close();
    await this.lifecycle.releaseAll();
  }
}
