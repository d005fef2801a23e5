import type { WindowCount } from './window-count';

interface Counter {
  hits: number;
  windowEndsAt: number;
}

/** Idle counters are dropped at most this often, on the request that notices. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Fixed-window counters in this process, with the same rules as the Redis script
 * (`redis-window.store.ts`): used without REDIS_URL, and while Redis cannot be reached.
 * O(1) per request whatever RATE_LIMIT is, and swept lazily so no timer outlives the app.
 */
export class MemoryWindowStore {
  private readonly counters = new Map<string, Counter>();
  private nextSweepAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  increment(key: string, windowMs: number, cost = 1): WindowCount {
    const now = this.now();
    this.sweep(now);
    let counter = this.counters.get(key);
    if (counter === undefined || counter.windowEndsAt <= now) {
      counter = { hits: 0, windowEndsAt: now + windowMs };
      this.counters.set(key, counter);
    }
    counter.hits += cost;
    return { hits: counter.hits, windowLeftMs: counter.windowEndsAt - now };
  }

  get size(): number {
    return this.counters.size;
  }

  private sweep(now: number): void {
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + SWEEP_INTERVAL_MS;
    for (const [key, counter] of this.counters) {
      if (counter.windowEndsAt <= now) this.counters.delete(key);
    }
  }
}
