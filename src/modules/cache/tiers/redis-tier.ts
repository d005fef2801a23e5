import KeyvRedis from '@keyv/redis';
import { Keyv } from 'keyv';
import type {
  NodeClient,
  RedisBackend,
  RedisConnection,
} from '../../redis/redis-connection.service';
import { isPredictionKey, prefixPattern } from '../prediction-key';
import type { SharedCacheTier, TierEntry, TierHit, TierOutcome } from './cache-tier.interface';
import { asError, CacheTierUnavailableError } from './tier-errors';
import { withTimeout } from '../../redis/with-timeout';
import type { SpanParent } from '../../../common/observability/request-trace';
import { inSpan } from '../../tracing/tracer';

export interface RedisTierOptions {
  /** Per-command budget on the request path (CACHE_TIMEOUT_MS). */
  readonly timeoutMs: number;
}

/** Invalidation is off the request path and may walk many keys: it gets a roomier budget. */
const ADMIN_COMMAND_TIMEOUT_MS = 5000;
const SCAN_COUNT = 500;
const UNLINK_CHUNK = 500;

/**
 * The shared tier: Keyv over `@keyv/redis`, built on the application's one Redis client (a
 * server, a sentinel-watched master or a cluster, whose key slots Keyv routes to).
 *
 * Redis must never decide whether a request succeeds, so every call is guarded: skipped at once
 * while the connection says Redis is down (disconnected, or its circuit breaker open), bounded by
 * a timeout otherwise, reported to the connection's breaker, and returned as an outcome instead
 * of thrown.
 */
export class RedisTier implements SharedCacheTier {
  readonly name = 'redis' as const;
  private readonly keyv: Keyv;

  constructor(
    private readonly connection: RedisConnection,
    private readonly backend: RedisBackend,
    private readonly options: RedisTierOptions,
  ) {
    // KeyvRedis's own connect-on-demand would (re)open or destroy the shared client; calls only
    // reach it while `connection.isUp()`, when the client is already open and ready.
    const store = new KeyvRedis(backend.client, {
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
  }

  /** The connection's answer: this tier keeps no view of its own. */
  availability(): 'up' | 'down' {
    return this.connection.isUp() ? 'up' : 'down';
  }

  getMany(
    keys: readonly string[],
    trace?: SpanParent,
  ): Promise<TierOutcome<ReadonlyArray<TierHit | undefined>>> {
    return this.guarded('MGET', trace, async () => {
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
  setMany(entries: readonly TierEntry[], trace?: SpanParent): Promise<TierOutcome<void>> {
    return this.guarded('SET', trace, async () => {
      await this.keyv.setMany(entries.map(({ key, value, ttlMs }) => ({ key, value, ttl: ttlMs })));
    });
  }

  /**
   * SCAN (never KEYS, which blocks Redis) for the prefix on every master (a cluster spreads the
   * keys over several), then UNLINK in chunks what it finds, limited to prediction keys so
   * another feature's keys under `sift:` are never touched.
   */
  async deleteByPrefix(prefix: string): Promise<number> {
    if (this.availability() === 'down') {
      throw new CacheTierUnavailableError('Redis is unreachable');
    }
    try {
      const match = prefixPattern(prefix);
      // A cluster refuses a multi-key UNLINK across slots (CROSSSLOT), even on one master.
      const perKey = this.backend.mode === 'cluster';
      const counts = await this.backend.onEachMaster((master) =>
        scanAndUnlink(master, match, perKey),
      );
      return counts.reduce((sum, count) => sum + count, 0);
    } catch (error) {
      throw new CacheTierUnavailableError(
        `Redis failed during invalidation (${asError(error).message})`,
        {
          cause: error,
        },
      );
    }
  }

  private async guarded<T>(
    operation: string,
    trace: SpanParent | undefined,
    call: () => Promise<T>,
  ): Promise<TierOutcome<T>> {
    if (!this.connection.tryAcquire()) return { outcome: 'skipped' };
    try {
      const value = await inSpan(trace, `redis ${operation}`, REDIS_SPAN_ATTRIBUTES, () =>
        withTimeout(call(), this.options.timeoutMs, `Redis ${operation}`),
      );
      this.connection.recordSuccess();
      return { outcome: 'ok', value };
    } catch (error) {
      this.connection.recordFailure();
      return { outcome: 'error', error: asError(error) };
    }
  }
}

/** OpenTelemetry's database conventions: what a trace backend groups Redis calls by. */
const REDIS_SPAN_ATTRIBUTES = { 'db.system.name': 'redis' } as const;

async function scanAndUnlink(client: NodeClient, match: string, perKey: boolean): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const page = await withTimeout(
      client.scan(cursor, { MATCH: match, COUNT: SCAN_COUNT }),
      ADMIN_COMMAND_TIMEOUT_MS,
      'Redis SCAN',
    );
    cursor = String(page.cursor);
    const keys = page.keys.filter(isPredictionKey);
    for (let start = 0; start < keys.length; start += UNLINK_CHUNK) {
      const chunk = keys.slice(start, start + UNLINK_CHUNK);
      // SCAN may return a key twice; UNLINK counts only the keys it actually removed.
      deleted += await withTimeout(
        unlink(client, chunk, perKey),
        ADMIN_COMMAND_TIMEOUT_MS,
        'Redis UNLINK',
      );
    }
  } while (cursor !== '0');
  return deleted;
}

/** One UNLINK per chunk, or per key (node-redis pipelines them: still one round trip). */
async function unlink(client: NodeClient, keys: string[], perKey: boolean): Promise<number> {
  if (!perKey) return client.unlink(keys);
  const counts = await Promise.all(keys.map((key) => client.unlink(key)));
  return counts.reduce((sum, count) => sum + count, 0);
}
