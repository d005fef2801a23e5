import { createHash } from 'node:crypto';
import type { SiftRedisClient } from '../redis/redis-connection.service';
import type { WindowCount } from './window-count';

/**
 * One round trip, atomic across replicas: count the hit and start the window on the first.
 * KEYS[1] counts hits; ARGV[1] is the window in ms. Returns {hits, window ms left}.
 */
const SCRIPT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local windowLeft = redis.call('PTTL', KEYS[1])
if windowLeft < 0 then
  -- A counter without expiry (written by hand, say) would refuse the client forever.
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  windowLeft = tonumber(ARGV[1])
end
return {hits, windowLeft}
`;

const SCRIPT_SHA = createHash('sha1').update(SCRIPT).digest('hex');

/** Keys live under this prefix, one per client and window. */
const KEY_PREFIX = 'sift:rate-limit:';

/** The Redis key counting `client`'s hits. */
export function hitsKey(client: string): string {
  return `${KEY_PREFIX}{${client}}:hits`;
}

/**
 * Fixed-window counters in Redis on the app's shared connection, so every replica enforces
 * one limit. Our own few lines rather than `@nest-lab/throttler-storage-redis`, whose peer
 * range stops at NestJS 11 (`npm ci` fails with ERESOLVE) and which opens its own connection.
 * It does not bound its own wait: RateLimitStorage does (see there why it must).
 */
export class RedisWindowStore {
  constructor(private readonly client: SiftRedisClient) {}

  async increment(key: string, windowMs: number): Promise<WindowCount> {
    const args = ['1', hitsKey(key), String(windowMs)];
    let reply: unknown;
    try {
      reply = await this.client.sendCommand<unknown>(['EVALSHA', SCRIPT_SHA, ...args]);
    } catch (error) {
      // The first call on a Redis that has not seen the script (or was restarted) loads it.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      reply = await this.client.sendCommand<unknown>(['EVAL', SCRIPT, ...args]);
    }
    return parseReply(reply);
  }
}

function parseReply(reply: unknown): WindowCount {
  if (!Array.isArray(reply) || reply.length !== 2 || !reply.every((n) => typeof n === 'number')) {
    throw new Error(`Unexpected rate-limit script reply: ${JSON.stringify(reply)}`);
  }
  const [hits, windowLeftMs] = reply as [number, number];
  return { hits, windowLeftMs };
}
