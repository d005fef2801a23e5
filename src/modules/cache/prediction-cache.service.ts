import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { CACHE_OBSERVER, type CacheObserver } from '../../common/observability/observers';
import { InjectConfig, type AppConfig } from '../../config';
import type { Prediction, TextInput } from '../inference';
import { modelKeyPrefix, predictionKey, type PredictionScope } from './prediction-key';
import {
  isStoredPrediction,
  restorePrediction,
  toStoredPrediction,
  type StoredPrediction,
} from './stored-prediction';
import {
  InjectMemoryTier,
  InjectSharedTier,
  type CacheTier,
  type MemoryCacheTier,
  type SharedCacheTier,
  type TierEntry,
} from './tiers/cache-tier.interface';

/** The parts of a loaded model the cache needs. */
export interface CacheableModel extends PredictionScope {
  readonly config: { readonly labels: readonly string[] };
}

/** One text's prediction and whether it came from the cache. */
export interface CachedAnswer {
  readonly prediction: Prediction;
  readonly cached: boolean;
}

/** What `/health` shows of the cache. */
export interface PredictionCacheStatus {
  readonly memory: { readonly items: number };
  readonly redis: 'disabled' | 'up' | 'down';
}

export interface InvalidationResult {
  readonly memory: number;
  readonly redis: number;
}

/** Runs texts (or text pairs) through the model; results in input order. */
export type InferFn = (texts: readonly TextInput[]) => Promise<readonly Prediction[]>;

/**
 * Answers predictions from an in-process tier, then the shared Redis tier, and runs only the
 * misses. Identical texts already being computed are joined rather than run again. New answers
 * are written behind the response. Callers never see cache-manager, Keyv or Redis types.
 */
@Injectable()
export class PredictionCache implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PredictionCache.name);
  /** Inferences running now, by cache key, removed when they settle. */
  private readonly inFlight = new Map<string, Promise<Prediction>>();
  /** Bumped per model on invalidation: answers computed before it are then not written. */
  private readonly generations = new Map<string, number>();
  private readonly enabled: boolean;
  private readonly ttlMs: number;
  private reportedRedisUp: boolean | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    @InjectConfig() config: AppConfig,
    @InjectMemoryTier() private readonly memory: MemoryCacheTier | null,
    @InjectSharedTier() private readonly redis: SharedCacheTier | null,
    @Optional() @Inject(CACHE_OBSERVER) private readonly observer?: CacheObserver,
  ) {
    this.enabled = config.CACHE_ENABLED;
    this.ttlMs = config.CACHE_TTL_SECONDS * 1000;
  }

  onModuleInit(): void {
    if (this.redis === null) return;
    this.unsubscribe = this.redis.onAvailabilityChange(() => this.reportRedisAvailability());
    this.reportRedisAvailability();
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /**
   * Predictions for `texts` in input order: cached ones from the tiers (one multi-get per tier),
   * the rest from `infer` in a single call. Rejects only when `infer` does.
   */
  async resolve(
    model: CacheableModel,
    texts: readonly TextInput[],
    infer: InferFn,
  ): Promise<CachedAnswer[]> {
    if (!this.enabled) {
      const predictions = await infer(texts);
      return predictions.map((prediction) => ({ prediction, cached: false }));
    }
    const labels = model.config.labels;
    const keys = texts.map((text) => predictionKey(model, text));
    const generation = this.generationOf(model.name);
    const stored = await this.lookup(keys, labels.length);

    const toRun = new Map<string, TextInput>();
    for (const [index, entry] of stored.entries()) {
      if (entry === undefined && !this.inFlight.has(keys[index]))
        toRun.set(keys[index], texts[index]);
    }
    if (toRun.size > 0) this.runMisses(model, toRun, infer, generation);

    return Promise.all(
      stored.map(async (entry, index): Promise<CachedAnswer> => {
        if (entry !== undefined)
          return { prediction: restorePrediction(entry, labels), cached: true };
        const running = this.inFlight.get(keys[index]);
        if (running === undefined) throw new Error(`No inference registered for ${keys[index]}`);
        return { prediction: await running, cached: false };
      }),
    );
  }

  /**
   * The prediction for `text` if this replica's memory tier holds it, without waiting on
   * anything (the cache-hit fast path); counted as a memory hit. A miss is not counted: the
   * caller then goes through `resolve`, which counts it.
   */
  peek(model: CacheableModel, text: string): Prediction | undefined {
    if (!this.enabled || this.memory === null) return undefined;
    const entry = this.memory.peek(predictionKey(model, text));
    if (!isStoredPrediction(entry, model.config.labels.length)) return undefined;
    this.observer?.cacheRequest('memory', 'hit', 1);
    return restorePrediction(entry, model.config.labels);
  }

  /**
   * Drops a model's entries (or one version's) from both tiers. The memory side covers this
   * replica; CacheInvalidationBus carries it to the others (see docs/cache.md).
   */
  async invalidate(model: string, version?: string): Promise<InvalidationResult> {
    this.generations.set(model, this.generationOf(model) + 1);
    const prefix = modelKeyPrefix(model, version);
    const memory = this.memory === null ? 0 : await this.memory.deleteByPrefix(prefix);
    const redis = this.redis === null ? 0 : await this.redis.deleteByPrefix(prefix);
    this.logger.log(`Invalidated ${prefix}*: ${memory} memory and ${redis} Redis entries`);
    return { memory, redis };
  }

  /**
   * Drops this replica's memory entries of a model (of one version; of every model when
   * `model` is left out) without touching Redis, and keeps the model's answers computed before
   * from being stored: an invalidation made on another replica (cache-invalidation.bus.ts).
   */
  async forgetLocally(model?: string, version?: string): Promise<number> {
    if (model !== undefined) this.generations.set(model, this.generationOf(model) + 1);
    const prefix = model === undefined ? '' : modelKeyPrefix(model, version);
    return this.memory === null ? 0 : this.memory.deleteByPrefix(prefix);
  }

  status(): PredictionCacheStatus {
    return {
      memory: { items: this.memory?.size ?? 0 },
      redis: this.redis === null ? 'disabled' : this.redis.availability(),
    };
  }

  /** Memory first, then Redis for what memory lacked; a failing tier counts as all misses. */
  private async lookup(
    keys: readonly string[],
    labelCount: number,
  ): Promise<Array<StoredPrediction | undefined>> {
    const found: Array<StoredPrediction | undefined> = keys.map(() => undefined);
    let missing = keys.map((_, index) => index);
    for (const tier of [this.memory, this.redis]) {
      if (tier === null || missing.length === 0) continue;
      const read = await tier.getMany(missing.map((index) => keys[index]));
      if (tier === this.redis) this.reportRedisAvailability();
      if (read.outcome !== 'ok') {
        if (read.outcome === 'error') {
          this.logger.debug(`Reading the ${tier.name} cache tier failed: ${read.error.message}`);
        }
        this.observer?.cacheRequest(tier.name, read.outcome, missing.length);
        continue;
      }
      const stillMissing: number[] = [];
      const promote: TierEntry[] = [];
      for (const [position, hit] of read.value.entries()) {
        const index = missing[position];
        if (hit === undefined || !isStoredPrediction(hit.value, labelCount)) {
          stillMissing.push(index);
          continue;
        }
        found[index] = hit.value;
        const ttlMs = hit.ttlMs ?? this.ttlMs;
        if (tier !== this.memory && ttlMs > 0)
          promote.push({ key: keys[index], value: hit.value, ttlMs });
      }
      this.count(tier, 'hit', missing.length - stillMissing.length);
      this.count(tier, 'miss', stillMissing.length);
      // Redis hits are copied into this replica's memory tier, never outliving the Redis entry.
      void this.write(this.memory, promote);
      missing = stillMissing;
    }
    return found;
  }

  /**
   * Starts one inference for the missed texts and registers each key as in flight until its
   * answer is in the tiers, so no identical request slips between the two and runs it again.
   */
  private runMisses(
    model: CacheableModel,
    toRun: Map<string, TextInput>,
    infer: InferFn,
    generation: number,
  ): void {
    const keys = [...toRun.keys()];
    const texts = [...toRun.values()];
    // An async wrapper turns a synchronous throw into a rejection every waiter receives.
    const batch = (async () => infer(texts))();
    const stored = batch.then(
      (predictions) => this.writeBehind(model.name, keys, predictions, generation),
      // The requests awaiting these keys receive the failure; there is nothing to cache.
      () => undefined,
    );
    keys.forEach((key, position) => {
      const prediction = batch.then((predictions) => predictions[position]);
      // Handled by every request awaiting the key; this only keeps it from counting as unhandled.
      prediction.catch(() => undefined);
      this.inFlight.set(key, prediction);
      void stored.then(() => {
        if (this.inFlight.get(key) === prediction) this.inFlight.delete(key);
      });
    });
  }

  /** Resolves once both tiers have the answers (or failed to take them); never rejects. */
  private async writeBehind(
    model: string,
    keys: readonly string[],
    predictions: readonly Prediction[],
    generation: number,
  ): Promise<void> {
    if (this.generationOf(model) !== generation) return;
    const entries = keys.map((key, position) => ({
      key,
      value: toStoredPrediction(predictions[position]),
      ttlMs: this.ttlMs,
    }));
    await Promise.all([this.write(this.memory, entries), this.write(this.redis, entries)]);
  }

  /** Never rejects: a failed write is logged and counted, and the answer simply is not cached. */
  private async write(tier: CacheTier | null, entries: readonly TierEntry[]): Promise<void> {
    if (tier === null || entries.length === 0) return;
    const result = await tier.setMany(entries);
    if (tier === this.redis) this.reportRedisAvailability();
    if (result.outcome === 'error') {
      this.logger.warn(
        `Writing ${entries.length} entries to the ${tier.name} cache tier failed: ${result.error.message}`,
      );
      this.count(tier, 'error', entries.length);
    }
  }

  private count(tier: CacheTier, result: 'hit' | 'miss' | 'error', count: number): void {
    if (count > 0) this.observer?.cacheRequest(tier.name, result, count);
  }

  private generationOf(model: string): number {
    return this.generations.get(model) ?? 0;
  }

  private reportRedisAvailability(): void {
    if (this.redis === null) return;
    const up = this.redis.availability() === 'up';
    if (up === this.reportedRedisUp) return;
    this.reportedRedisUp = up;
    this.observer?.redisUp(up);
  }
}
