import { LRUCache } from 'lru-cache';
import type { Prediction } from '../../inference';

export interface MemoryTierOptions {
  /** At most this many predictions are kept; the least recently used goes first. */
  readonly maxItems: number;
  /** Lifetime of an entry stored without a TTL of its own. */
  readonly ttlMs: number;
  /** The clock TTLs are measured on (tests move it instead of sleeping). */
  readonly now?: () => number;
}

/**
 * The in-process tier: a synchronous LRU with per-entry TTLs. It holds frozen predictions
 * that were validated (or computed) before they were stored, and hands out the same objects:
 * a hit is one map lookup, with no check, clone or serialization, which were a quarter of a
 * cached request's time when this tier sat under Keyv and cache-manager.
 */
export class MemoryTier {
  private readonly lru: LRUCache<string, Prediction>;

  constructor(options: MemoryTierOptions) {
    this.lru = new LRUCache<string, Prediction>({
      max: options.maxItems,
      ttl: options.ttlMs,
      // Expired entries are dropped when read; a timer per entry would cost more than it saves.
      ttlAutopurge: false,
      // Read the clock on every check: exact expiry, and no timer to debounce it.
      ttlResolution: 0,
      ...(options.now === undefined ? {} : { perf: { now: options.now } }),
    });
  }

  /** Entries held now (expired ones linger until touched). */
  get size(): number {
    return this.lru.size;
  }

  /** The prediction under `key`, marked as recently used; undefined for a miss or an expired one. */
  get(key: string): Prediction | undefined {
    return this.lru.get(key);
  }

  /** Stores `prediction`, which must be frozen: every hit shares it. */
  set(key: string, prediction: Prediction, ttlMs: number): void {
    this.lru.set(key, prediction, { ttl: ttlMs });
  }

  /** Deletes every key starting with `prefix`: an O(n) walk, fine for a rare admin operation. */
  deleteByPrefix(prefix: string): number {
    let deleted = 0;
    for (const key of [...this.lru.keys()]) {
      if (key.startsWith(prefix) && this.lru.delete(key)) deleted++;
    }
    return deleted;
  }
}
