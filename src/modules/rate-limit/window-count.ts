import type { ThrottlerStorage } from '@nestjs/throttler';

/** What `ThrottlerStorage.increment` resolves to (the package does not export the name). */
export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * One client's fixed-window counter as both stores report it, in milliseconds: the Redis
 * script and the in-memory store implement the same rules, so a replica that falls back to
 * memory limits exactly as Redis would (only per replica).
 */
export interface WindowCount {
  readonly hits: number;
  readonly windowLeftMs: number;
  readonly blocked: boolean;
  readonly blockLeftMs: number;
}

const toSeconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));

/** The record `ThrottlerGuard` expects: times in whole seconds, as throttler's own storage does. */
export function toThrottlerRecord(count: WindowCount): ThrottlerStorageRecord {
  return {
    totalHits: count.hits,
    timeToExpire: toSeconds(count.windowLeftMs),
    isBlocked: count.blocked,
    timeToBlockExpire: count.blocked ? Math.max(1, toSeconds(count.blockLeftMs)) : 0,
  };
}
