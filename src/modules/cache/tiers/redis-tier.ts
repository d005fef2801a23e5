import KeyvRedis from '@keyv/redis';
import { Logger } from '@nestjs/common';
import { Keyv } from 'keyv';
import type { RedisConnection, SiftRedisClient } from '../../redis/redis-connection.service';
import { isPredictionKey, prefixPattern } from '../prediction-key';
import type { SharedCacheTier, TierEntry, TierHit, TierOutcome } from './cache-tier.interface';
import { CircuitBreaker } from './circuit-breaker';
import { asError, CacheTierUnavailableError } from './tier-errors';
import { withTimeout } from './with-timeout';

export interface RedisTierOptions {
  /** Per-command budget on the request path (CACHE_TIMEOUT_MS). */
  readonly timeoutMs: number;
  readonly failureThreshold: number;
  readonly coolDownMs: number;
}

/** Invalidation is off the request path and may walk many keys: it gets a roomier budget. */
const ADMIN_COMMAND_TIMEOUT_MS = 5000;
const SCAN_COUNT = 500;
const UNLINK_CHUNK = 500;

/**
 * The shared tier: Keyv over `@keyv/redis`, built on the application's one Redis client.
 *
 * Redis must never decide whether a request succeeds, so every call is guarded: skipped at once
 * while the connection is down or the circuit is open, bounded by a timeout otherwise, and
 * reported as an outcome instead of thrown.
 */
export class RedisTier implements SharedCacheTier {
  readonly name = 'redis' as const;
  private readonly logger = new Logger(RedisTier.name);
  private readonly keyv: Keyv;
  private readonly breaker: CircuitBreaker;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly connection: RedisConnection,
    private readonly client: SiftRedisClient,
    private readonly options: RedisTierOptions,
  ) {
    // KeyvRedis's own connect-on-demand would (re)open or destroy the shared client; calls only
    // reach it while `connection.isUp()`, when the client is already open and ready.
    const store = new KeyvRedis(client, {
      throwOnErrors: true,
      throwOnConnectError: true,
      useUnlink: true,
    });
    this.keyv = new Keyv({
      store,
      namespace: undefined,
      useKeyPrefix: false,
      throwOnErrors: true,
      // Failures surface as thrown errors per call; RedisConnection already logs connection loss.
      emitErrors: false,
    });
    this.breaker = new CircuitBreaker({
      failureThreshold: options.failureThreshold,
      coolDownMs: options.coolDownMs,
      onStateChange: (state) => {
        if (state === 'open') {
          this.logger.warn(`Redis cache tier failing: skipping it for ${options.coolDownMs} ms`);
        } else {
          this.logger.log('Redis cache tier recovered');
        }
        this.notify();
      },
    });
  }

  availability(): 'up' | 'down' {
    return this.connection.isUp() && this.breaker.state() !== 'open' ? 'up' : 'down';
  }

  onAvailabilityChange(listener: () => void): () => void {
    const onConnectionEvent = (): void => listener();
    this.listeners.add(listener);
    for (const event of ['ready', 'end', 'error'] as const)
      this.client.on(event, onConnectionEvent);
    return () => {
      this.listeners.delete(listener);
      for (const event of ['ready', 'end', 'error'] as const)
        this.client.off(event, onConnectionEvent);
    };
  }

  getMany(keys: readonly string[]): Promise<TierOutcome<ReadonlyArray<TierHit | undefined>>> {
    return this.guarded('MGET', async () => {
      const rows = await this.keyv.getManyRaw<unknown>([...keys]);
      const now = Date.now();
      return rows.map((row): TierHit | undefined =>
        row === undefined
          ? undefined
          : {
              value: row.value,
              ttlMs: typeof row.expires === 'number' ? row.expires - now : undefined,
            },
      );
    });
  }

  /** One MULTI of `SET key value PX ttl` per entry: a single round trip. */
  setMany(entries: readonly TierEntry[]): Promise<TierOutcome<void>> {
    return this.guarded('SET', async () => {
      await this.keyv.setMany(entries.map(({ key, value, ttlMs }) => ({ key, value, ttl: ttlMs })));
    });
  }

  /**
   * SCAN (never KEYS, which blocks Redis) for the prefix, then UNLINK in chunks what it finds,
   * limited to prediction keys so another feature's keys under `sift:` are never touched.
   */
  async deleteByPrefix(prefix: string): Promise<number> {
    if (this.availability() === 'down') {
      throw new CacheTierUnavailableError('Redis is unreachable');
    }
    try {
      return await this.scanAndUnlink(prefixPattern(prefix));
    } catch (error) {
      throw new CacheTierUnavailableError(
        `Redis failed during invalidation (${asError(error).message})`,
        {
          cause: error,
        },
      );
    }
  }

  private async scanAndUnlink(match: string): Promise<number> {
    let cursor = '0';
    let deleted = 0;
    do {
      const page = await withTimeout(
        this.client.scan(cursor, { MATCH: match, COUNT: SCAN_COUNT }),
        ADMIN_COMMAND_TIMEOUT_MS,
        'Redis SCAN',
      );
      cursor = String(page.cursor);
      const keys = page.keys.filter(isPredictionKey);
      for (let start = 0; start < keys.length; start += UNLINK_CHUNK) {
        const chunk = keys.slice(start, start + UNLINK_CHUNK);
        // SCAN may return a key twice; UNLINK counts only the keys it actually removed.
        deleted += await withTimeout(
          this.client.unlink(chunk),
          ADMIN_COMMAND_TIMEOUT_MS,
          'Redis UNLINK',
        );
      }
    } while (cursor !== '0');
    return deleted;
  }

  private async guarded<T>(operation: string, call: () => Promise<T>): Promise<TierOutcome<T>> {
    if (!this.connection.isUp() || !this.breaker.tryAcquire()) return { outcome: 'skipped' };
    try {
      const value = await withTimeout(call(), this.options.timeoutMs, `Redis ${operation}`);
      this.breaker.recordSuccess();
      return { outcome: 'ok', value };
    } catch (error) {
      this.breaker.recordFailure();
      return { outcome: 'error', error: asError(error) };
    }
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
