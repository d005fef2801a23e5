import {
  Injectable,
  Logger,
  ServiceUnavailableException,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { InjectConfig, type AppConfig } from '../../config';
import { RedisConnection, type Subscription } from '../redis/redis-connection.service';
import { PredictionCache } from './prediction-cache.service';
import { withTimeout } from '../redis/with-timeout';

/**
 * Pub/sub channels span a Redis server's databases, while cache keys live in one: the
 * channels carry the database of REDIS_URL, so deployments sharing a server in different
 * databases never count (or clear) each other.
 */
function channelsOf(redisUrl: string | undefined): { invalidations: string; acks: string } {
  const database = redisUrl === undefined ? 0 : Number(new URL(redisUrl).pathname.slice(1) || 0);
  return {
    invalidations: `sift:cache:invalidations:${database}`,
    acks: `sift:cache:invalidation-acks:${database}`,
  };
}

interface Invalidation {
  readonly id: string;
  readonly model: string;
  readonly version?: string;
}

interface Pending {
  acknowledged: number;
  expected: number | undefined;
  settle: () => void;
}

function parseInvalidation(message: string): Invalidation | undefined {
  try {
    const value: unknown = JSON.parse(message);
    if (typeof value !== 'object' || value === null) return undefined;
    const { id, model, version } = value as Record<string, unknown>;
    if (typeof id !== 'string' || typeof model !== 'string') return undefined;
    if (version !== undefined && typeof version !== 'string') return undefined;
    return { id, model, version };
  } catch {
    return undefined; // not ours: another program publishing on the channel
  }
}

/**
 * Carries `DELETE /cache` to every replica's memory tier over Redis pub/sub, and waits until
 * each replica that received it says its memory is clear, so that when the call returns no
 * replica serves an invalidated entry.
 *
 * Pub/sub rather than client-side caching (CLIENT TRACKING): the memory tier holds entries
 * under keys Redis may never have seen (written before Redis came up, or read from memory
 * only), and tracking reports only keys a client read, so it could not invalidate by prefix;
 * PUBLISH also says how many replicas received the message, which makes acknowledgement
 * countable. Subscribed connections take no other commands, hence a second connection.
 *
 * A replica that is stopped during the call starts with an empty memory tier; one whose
 * subscription was cut (Redis unreachable) drops its whole memory tier when it is back, and
 * until then may serve entries invalidated meanwhile: the bound is the outage.
 */
@Injectable()
export class CacheInvalidationBus implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CacheInvalidationBus.name);
  private readonly pending = new Map<string, Pending>();
  private subscription: Subscription | undefined;
  private readonly timeoutMs: number;
  private readonly enabled: boolean;
  private readonly channels: { invalidations: string; acks: string };

  constructor(
    private readonly redis: RedisConnection,
    private readonly cache: PredictionCache,
    @InjectConfig() config: AppConfig,
  ) {
    this.enabled = config.CACHE_ENABLED && config.CACHE_MEMORY_ITEMS > 0;
    this.timeoutMs = config.CACHE_INVALIDATION_TIMEOUT_MS;
    this.channels = channelsOf(config.REDIS_URL);
  }

  onModuleInit(): void {
    const backend = this.redis.backend;
    if (!this.enabled || backend === undefined) return;
    this.subscription = backend.subscribe(
      {
        [this.channels.invalidations]: (message) => void this.receive(message),
        [this.channels.acks]: (id) => this.acknowledged(id),
      },
      {
        // RedisConnection logs the outage; here it only means messages may be missed.
        lost: () => undefined,
        restored: () => {
          const count = this.cache.forgetLocally();
          this.logger.warn(
            `Invalidation channel back after an outage: dropped all ${count} memory entries`,
          );
        },
      },
    );
  }

  /**
   * Tells every replica to drop `model`'s (or `version`'s) memory entries, and resolves once
   * all that received the message have; throws a 503 when some did not within
   * CACHE_INVALIDATION_TIMEOUT_MS. Call it after Redis itself was cleared.
   */
  async broadcast(model: string, version?: string): Promise<number> {
    const backend = this.redis.backend;
    if (this.subscription === undefined || backend === undefined) return 1;
    const invalidation: Invalidation = { id: randomUUID(), model, version };
    let settle = (): void => undefined;
    const done = new Promise<void>((resolve) => (settle = resolve));
    const pending: Pending = { acknowledged: 0, expected: undefined, settle };
    this.pending.set(invalidation.id, pending);
    try {
      const expected = await withTimeout(
        backend.publish(this.channels.invalidations, JSON.stringify(invalidation)),
        this.timeoutMs,
        'Redis PUBLISH',
      );
      pending.expected = expected;
      if (pending.acknowledged >= expected) settle();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.timeoutMs)));
      await Promise.race([done, late]);
      clearTimeout(timer);
      if (pending.acknowledged < expected) {
        throw new ServiceUnavailableException(
          `Only ${pending.acknowledged} of ${expected} replicas confirmed dropping their memory ` +
            `entries within ${this.timeoutMs} ms; retry`,
        );
      }
      return expected;
    } catch (error) {
      if (error instanceof ServiceUnavailableException) throw error;
      throw new ServiceUnavailableException(
        `Redis did not carry the invalidation to the other replicas (${(error as Error).message}); retry`,
      );
    } finally {
      this.pending.delete(invalidation.id);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
  }

  private async receive(message: string): Promise<void> {
    const invalidation = parseInvalidation(message);
    const backend = this.redis.backend;
    if (invalidation === undefined || backend === undefined) return;
    const { id, model, version } = invalidation;
    try {
      this.cache.forgetLocally(model, version);
      // A Redis read sent before the invalidation may answer (on the other connection) after
      // this message, and copy an old entry into memory. Once a round trip on that connection
      // (on each master's, in a cluster) has returned, every earlier read has, and the next
      // turn has stored what it read.
      await withTimeout(
        backend.onEachMaster((master) => master.ping()),
        this.timeoutMs,
        'Redis PING',
      );
      await nextTurn();
      this.cache.forgetLocally(model, version);
      await withTimeout(backend.publish(this.channels.acks, id), this.timeoutMs, 'Redis PUBLISH');
    } catch (error) {
      this.logger.warn(`Invalidation ${id} not acknowledged: ${(error as Error).message}`);
    }
  }

  private acknowledged(id: string): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    pending.acknowledged += 1;
    if (pending.expected !== undefined && pending.acknowledged >= pending.expected) {
      pending.settle();
    }
  }
}
