import type { Cache } from '@nestjs/cache-manager';
import { CacheableMemory } from 'cacheable';
import { Keyv } from 'keyv';
import type { MemoryCacheTier, TierEntry, TierHit, TierOutcome } from './cache-tier.interface';
import { asError } from './tier-errors';

/**
 * The Keyv store behind the memory tier: an LRU of at most `maxItems` entries. Keys are stored
 * as given (no Keyv namespace prefix) so invalidation can match them by prefix. Values are
 * kept as objects, neither serialized nor cloned: a hit then costs a map lookup, where JSON
 * round trips and clones were a quarter of the time of a cached request. Entries are never
 * mutated (see toStoredPrediction), which is what makes sharing them safe.
 */
export function createMemoryKeyv(maxItems: number, ttlMs: number): Keyv {
  const keyv = new Keyv({
    store: new CacheableMemory({
      lruSize: maxItems,
      ttl: ttlMs,
      useClone: false,
      storeHashSize: 1,
    }),
    namespace: undefined,
    useKeyPrefix: false,
  });
  keyv.serialize = undefined;
  keyv.deserialize = undefined;
  return keyv;
}

/** What Keyv keeps in its store for each entry when it does not serialize. */
interface KeyvRecord {
  readonly value: unknown;
  readonly expires?: number | null;
}

function isKeyvRecord(record: unknown): record is KeyvRecord {
  return typeof record === 'object' && record !== null && 'value' in record;
}

/** The in-process tier: cache-manager over a bounded CacheableMemory LRU. */
export class MemoryTier implements MemoryCacheTier {
  readonly name = 'memory' as const;

  constructor(
    private readonly cache: Cache,
    private readonly lru: CacheableMemory,
  ) {}

  /** Finds the LRU under the cache-manager instance that `createMemoryKeyv` built. */
  static over(cache: Cache): MemoryTier {
    const store: unknown = cache.stores[0]?.store;
    if (!(store instanceof CacheableMemory)) {
      throw new Error('The memory cache tier must be a Keyv over CacheableMemory');
    }
    return new MemoryTier(cache, store);
  }

  get size(): number {
    return this.lru.size;
  }

  /**
   * Synchronous read of one entry, for the cache-hit fast path: straight from the LRU (which
   * drops entries past their TTL), with the expiry Keyv recorded checked as Keyv would.
   */
  peek(key: string): unknown {
    const record = this.lru.get<unknown>(key);
    if (!isKeyvRecord(record)) return undefined;
    if (typeof record.expires === 'number' && record.expires <= Date.now()) return undefined;
    return record.value;
  }

  async getMany(keys: readonly string[]): Promise<TierOutcome<ReadonlyArray<TierHit | undefined>>> {
    try {
      const values = await this.cache.mget<unknown>([...keys]);
      return {
        outcome: 'ok',
        value: values.map((value) => (value === undefined ? undefined : { value })),
      };
    } catch (error) {
      return { outcome: 'error', error: asError(error) };
    }
  }

  async setMany(entries: readonly TierEntry[]): Promise<TierOutcome<void>> {
    try {
      await this.cache.mset(entries.map(({ key, value, ttlMs }) => ({ key, value, ttl: ttlMs })));
      return { outcome: 'ok', value: undefined };
    } catch (error) {
      return { outcome: 'error', error: asError(error) };
    }
  }

  /** Walks the LRU's keys (an O(n) scan of at most CACHE_MEMORY_ITEMS keys; invalidation is rare). */
  async deleteByPrefix(prefix: string): Promise<number> {
    const matching = [...this.lru.keys].filter((key) => key.startsWith(prefix));
    if (matching.length > 0) await this.cache.mdel(matching);
    return matching.length;
  }
}
