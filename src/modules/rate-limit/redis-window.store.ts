import type { SiftScripts } from '../redis/redis-connection.service';
import type { WindowCount } from './window-count';

/** Keys live under this prefix, one per client and window. */
const KEY_PREFIX = 'sift:rate-limit:';

/** The Redis key counting `client`'s hits. */
export function hitsKey(client: string): string {
  return `${KEY_PREFIX}{${client}}:hits`;
}

/**
 * Fixed-window counters in Redis on the app's shared connection, so every replica enforces
 * one limit: one atomic script per hit (`siftRateLimitHit` in redis-scripts.ts; node-redis
 * loads it on NOSCRIPT). Our own few lines rather than `@nest-lab/throttler-storage-redis`,
 * whose peer range stops at NestJS 11 (`npm ci` fails with ERESOLVE) and which opens its own
 * connection. It does not bound its own wait: RateLimitStorage does (see there why it must).
 */
export class RedisWindowStore {
  constructor(private readonly client: SiftScripts) {}

  async increment(key: string, windowMs: number, cost = 1): Promise<WindowCount> {
    return parseReply(await this.client.siftRateLimitHit(hitsKey(key), windowMs, cost));
  }
}

function parseReply(reply: unknown): WindowCount {
  if (!Array.isArray(reply) || reply.length !== 2 || !reply.every((n) => typeof n === 'number')) {
    throw new Error(`Unexpected rate-limit script reply: ${JSON.stringify(reply)}`);
  }
  const [hits, windowLeftMs] = reply as [number, number];
  return { hits, windowLeftMs };
}
