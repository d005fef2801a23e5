/**
 * One client's fixed-window counter as both stores report it, in milliseconds: the Redis
 * script and the in-memory store implement the same rules, so a replica that falls back to
 * memory limits exactly as Redis would (only per replica).
 */
export interface WindowCount {
  readonly hits: number;
  readonly windowLeftMs: number;
}

/** What the limiter needs to answer a request: its count and the window's end, in seconds. */
export interface RateLimitRecord {
  readonly totalHits: number;
  /** Whole seconds until the window ends (the RateLimit-Reset and Retry-After values). */
  readonly timeToExpire: number;
  readonly isBlocked: boolean;
}

/** Over the limit until the window ends: no extra penalty, as the IETF headers describe. */
export function toRecord(count: WindowCount, limit: number): RateLimitRecord {
  const blocked = count.hits > limit;
  const seconds = Math.max(0, Math.ceil(count.windowLeftMs / 1000));
  return {
    totalHits: count.hits,
    timeToExpire: blocked ? Math.max(1, seconds) : seconds,
    isBlocked: blocked,
  };
}
