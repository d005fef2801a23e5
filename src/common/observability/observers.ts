/**
 * Observation hooks that feature modules call and the metrics module implements, so the
 * cache, guards and filters stay free of Prometheus types. Inject them with `@Optional()`.
 */
export type CacheTier = 'memory' | 'redis';
export type CacheResult = 'hit' | 'miss' | 'error' | 'skipped';

export interface CacheObserver {
  cacheRequest(tier: CacheTier, result: CacheResult, count?: number): void;
}

export type RejectionReason =
  | 'validation'
  | 'rate_limited'
  | 'queue_full'
  | 'timeout'
  | 'not_found'
  | 'unauthorized'
  | 'shutting_down';

/** Rate-limit counters kept in one replica's memory because Redis could not be used. */
export interface RateLimitObserver {
  rateLimitFallback(): void;
  /** Counters moved to this replica's memory (true) or back to Redis (false). */
  rateLimitLocal(local: boolean): void;
}

export const CACHE_OBSERVER = Symbol('sift:cache-observer');
export const RATE_LIMIT_OBSERVER = Symbol('sift:rate-limit-observer');
