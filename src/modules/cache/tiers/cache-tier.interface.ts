import type { SpanParent } from '../../../common/observability/request-trace';
import { Inject } from '@nestjs/common';
import type { CacheTier as CacheTierName } from '../../../common/observability/observers';

/** One entry to write; `ttlMs` is how long the tier may keep it. */
export interface TierEntry {
  readonly key: string;
  readonly value: unknown;
  readonly ttlMs: number;
}

/** A value found in a tier; `ttlMs` is its remaining lifetime when the tier knows it. */
export interface TierHit {
  readonly value: unknown;
  readonly ttlMs?: number;
}

/**
 * How a tier call went. Tiers never throw on the request path: `skipped` means the tier was
 * not asked (known to be down), `error` that it failed or timed out.
 */
export type TierOutcome<T> =
  | { readonly outcome: 'ok'; readonly value: T }
  | { readonly outcome: 'skipped' }
  | { readonly outcome: 'error'; readonly error: Error };

/** The tier shared by replicas (Redis); it may be unreachable at any time. */
export interface SharedCacheTier {
  readonly name: CacheTierName;
  /** Values in key order; `undefined` for a miss. `trace` parents the Redis call's span. */
  getMany(
    keys: readonly string[],
    trace?: SpanParent,
  ): Promise<TierOutcome<ReadonlyArray<TierHit | undefined>>>;
  setMany(entries: readonly TierEntry[], trace?: SpanParent): Promise<TierOutcome<void>>;
  /** Deletes every key starting with `prefix`; an admin operation, so it throws on failure. */
  deleteByPrefix(prefix: string): Promise<number>;
  availability(): 'up' | 'down';
}

export const MEMORY_CACHE_TIER = Symbol('sift:cache:memory-tier');
export const SHARED_CACHE_TIER = Symbol('sift:cache:shared-tier');

/** Injects the memory tier (a MemoryTier), or `null` when it is disabled. */
export const InjectMemoryTier = (): ParameterDecorator => Inject(MEMORY_CACHE_TIER);
/** Injects the shared (Redis) tier, or `null` without REDIS_URL or with caching disabled. */
export const InjectSharedTier = (): ParameterDecorator => Inject(SHARED_CACHE_TIER);
