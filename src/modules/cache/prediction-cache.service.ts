import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  CACHE_OBSERVER,
  type CacheObserver,
  type CacheTier as CacheTierName,
} from '../../common/observability/observers';
import { InjectConfig, type AppConfig } from '../../config';
import type { Prediction, TextInput } from '../inference';
import { modelKeyPrefix, predictionKey, type PredictionScope } from './prediction-key';
import {
  freezePrediction,
  isStoredPrediction,
  restorePrediction,
  toStoredPrediction,
} from './stored-prediction';
import {
  InjectMemoryTier,
  InjectSharedTier,
  type SharedCacheTier,
  type TierEntry,
} from './tiers/cache-tier.interface';
import type { MemoryTier } from './tiers/memory-tier';
import { recordCacheLookup } from '../tracing/cache-tracing';
import type { SpanParent } from '../../common/observability/request-trace';

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

/** A cancellation (an aborted AbortSignal's error), which only its own caller should see. */
function isAbortError(error: unknown): boolean {
  // By name, as the platform's AbortSignal does: a DOMException need not share this realm's Error.
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { readonly name?: unknown }).name === 'AbortError'
  );
}

/** Runs texts (or text pairs) through the model; results in input order. */
export type InferFn = (texts: readonly TextInput[]) => Promise<readonly Prediction[]>;

/**
 * Answers predictions from an in-process tier, then the shared Redis tier, and runs only the
 * misses. Identical texts already being computed are joined rather than run again. New answers
 * are written behind the response. Callers never see lru-cache, Keyv or Redis types.
 */
@Injectable()
export class PredictionCache {
  private readonly logger = new Logger(PredictionCache.name);
  /** Inferences running now, by cache key, removed when they settle. */
  private readonly inFlight = new Map<string, Promise<Prediction>>();
  /** Bumped per model on invalidation: answers computed before it are then not written. */
  private readonly generations = new Map<string, number>();
  private readonly enabled: boolean;
  private readonly ttlMs: number;

  constructor(
    @InjectConfig() config: AppConfig,
    @InjectMemoryTier() private readonly memory: MemoryTier | null,
    @InjectSharedTier() private readonly redis: SharedCacheTier | null,
    @Optional() @Inject(CACHE_OBSERVER) private readonly observer?: CacheObserver,
  ) {
    this.enabled = config.CACHE_ENABLED;
    this.ttlMs = config.CACHE_TTL_SECONDS * 1000;
  }

  /**
   * Predictions for `texts` in input order: cached ones from the tiers (memory, then one Redis
   * multi-get), the rest from `infer` in a single call. Rejects only when `infer` does.
   * `trace`: the request's span, the parent of the lookup's spans.
   */
  async resolve(
    model: CacheableModel,
    texts: readonly TextInput[],
    infer: InferFn,
    trace?: SpanParent,
  ): Promise<CachedAnswer[]> {
    if (!this.enabled) {
      const predictions = await infer(texts);
      return predictions.map((prediction) => ({ prediction, cached: false }));
    }
    const keys = texts.map((text) => predictionKey(model, text));
    const generation = this.generationOf(model.name);
    const stored = await this.lookup(keys, model.config.labels, trace);

    const toRun = new Map<string, TextInput>();
    for (const [index, entry] of stored.entries()) {
      if (entry === undefined && !this.inFlight.has(keys[index]))
        toRun.set(keys[index], texts[index]);
    }
    if (toRun.size > 0) this.runMisses(model, toRun, infer, generation, trace);

    return Promise.all(
      stored.map(async (entry, index): Promise<CachedAnswer> => {
        if (entry !== undefined) return { prediction: entry, cached: true };
        const running = this.inFlight.get(keys[index]);
        if (running === undefined) throw new Error(`No inference registered for ${keys[index]}`);
        try {
          return { prediction: await running, cached: false };
        } catch (error) {
          // A text joined from another caller that was cancelled (a stream whose client left)
          // is this caller's to run, not to fail; a cancellation of its own is passed on.
          if (toRun.has(keys[index]) || !isAbortError(error)) throw error;
          const [prediction] = await infer([texts[index]]);
          return { prediction, cached: false };
        }
      }),
    );
  }

  /**
   * Drops a model's entries (or one version's) from both tiers. The memory side covers this
   * replica; CacheInvalidationBus carries it to the others (see docs/cache.md).
   */
  async invalidate(model: string, version?: string): Promise<InvalidationResult> {
    this.generations.set(model, this.generationOf(model) + 1);
    const prefix = modelKeyPrefix(model, version);
    const memory = this.memory?.deleteByPrefix(prefix) ?? 0;
    const redis = this.redis === null ? 0 : await this.redis.deleteByPrefix(prefix);
    this.logger.log(`Invalidated ${prefix}*: ${memory} memory and ${redis} Redis entries`);
    return { memory, redis };
  }

  /**
   * Drops this replica's memory entries of a model (of one version; of every model when
   * `model` is left out) without touching Redis, and keeps the model's answers computed before
   * from being stored: an invalidation made on another replica (cache-invalidation.bus.ts).
   */
  forgetLocally(model?: string, version?: string): number {
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

  /**
   * Memory first, then Redis (one multi-get) for what memory lacked; a failing Redis counts as all misses. Redis hits are
   * validated once and copied into memory.
   */
  private async lookup(
    keys: readonly string[],
    labels: readonly string[],
    trace: SpanParent | undefined,
  ): Promise<Array<Prediction | undefined>> {
    const found = keys.map((key) => this.memory?.get(key));
    const missing: number[] = [];
    for (const [index, prediction] of found.entries()) {
      if (prediction === undefined) missing.push(index);
    }
    if (this.memory !== null) {
      this.count('memory', 'hit', keys.length - missing.length);
      this.count('memory', 'miss', missing.length);
      recordCacheLookup(trace, 'memory', keys.length - missing.length, missing.length);
    }
    const redis = this.redis;
    if (redis === null || missing.length === 0) return found;

    const read = await redis.getMany(
      missing.map((index) => keys[index]),
      trace,
    );
    if (read.outcome !== 'ok') {
      if (read.outcome === 'error') {
        this.logger.debug(`Reading the Redis cache tier failed: ${read.error.message}`);
      }
      this.observer?.cacheRequest('redis', read.outcome, missing.length);
      return found;
    }
    let hits = 0;
    for (const [position, hit] of read.value.entries()) {
      if (hit === undefined || !isStoredPrediction(hit.value, labels.length)) continue;
      const index = missing[position];
      const prediction = restorePrediction(hit.value, labels);
      found[index] = prediction;
      hits++;
      // A copy in this replica's memory never outlives the Redis entry.
      const ttlMs = hit.ttlMs ?? this.ttlMs;
      if (ttlMs > 0) this.memory?.set(keys[index], prediction, ttlMs);
    }
    this.count('redis', 'hit', hits);
    this.count('redis', 'miss', missing.length - hits);
    recordCacheLookup(trace, 'redis', hits, missing.length - hits);
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
    trace: SpanParent | undefined,
  ): void {
    const keys = [...toRun.keys()];
    const texts = [...toRun.values()];
    // An async wrapper turns a synchronous throw into a rejection every waiter receives.
    const batch = (async () => infer(texts))();
    const stored = batch.then(
      (predictions) => this.writeBehind(model.name, keys, predictions, generation, trace),
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
    trace: SpanParent | undefined,
  ): Promise<void> {
    if (this.generationOf(model) !== generation) return;
    if (this.memory !== null) {
      for (const [position, key] of keys.entries()) {
        this.memory.set(key, freezePrediction(predictions[position]), this.ttlMs);
      }
    }
    if (this.redis === null) return;
    const entries: TierEntry[] = keys.map((key, position) => ({
      key,
      value: toStoredPrediction(predictions[position]),
      ttlMs: this.ttlMs,
    }));
    const result = await this.redis.setMany(entries, trace);
    // Never rejects: a failed write is logged and counted, and the answer simply is not cached.
    if (result.outcome === 'error') {
      this.logger.warn(
        `Writing ${entries.length} entries to the Redis cache tier failed: ${result.error.message}`,
      );
      this.count('redis', 'error', entries.length);
    }
  }

  private count(tier: CacheTierName, result: 'hit' | 'miss' | 'error', count: number): void {
    if (count > 0) this.observer?.cacheRequest(tier, result, count);
  }

  private generationOf(model: string): number {
    return this.generations.get(model) ?? 0;
  }
}
