import { createHash } from 'node:crypto';
import type { SiftRedisClient } from '../redis/redis-connection.service';
import type { WindowCount } from './window-count';

/**
 * One round trip, atomic across replicas: count the hit, start the window on the first hit,
 * and apply throttler's block rule. KEYS[1] counts hits, KEYS[2] marks a block.
 * ARGV: window ms, limit, block ms (0 = over the limit until the window ends).
 * Returns {hits, window ms left, blocked 0/1, block ms left}.
 */
const SCRIPT = `
local blockLeft = redis.call('PTTL', KEYS[2])
if blockLeft > 0 then
  local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
  local windowLeft = redis.call('PTTL', KEYS[1])
  if windowLeft < 0 then windowLeft = 0 end
  return {hits, windowLeft, 1, blockLeft}
end
local windowMs = tonumber(ARGV[1])
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], windowMs) end
local windowLeft = redis.call('PTTL', KEYS[1])
if windowLeft < 0 then
  -- A counter without expiry (written by hand, say) would refuse the client forever.
  redis.call('PEXPIRE', KEYS[1], windowMs)
  windowLeft = windowMs
end
if hits <= tonumber(ARGV[2]) then return {hits, windowLeft, 0, 0} end
local blockMs = tonumber(ARGV[3])
if blockMs > 0 then
  redis.call('SET', KEYS[2], '1', 'PX', blockMs)
  redis.call('DEL', KEYS[1])
  return {hits, windowLeft, 1, blockMs}
end
return {hits, windowLeft, 1, windowLeft}
`;

const SCRIPT_SHA = createHash('sha1').update(SCRIPT).digest('hex');

/** Keys live under this prefix; the braces keep a client's two keys in one Cluster slot. */
const KEY_PREFIX = 'sift:rate-limit:';

/**
 * Fixed-window counters in Redis on the app's shared connection, so every replica enforces
 * one limit. Our own ~40 lines rather than `@nest-lab/throttler-storage-redis`, whose peer
 * range stops at NestJS 11 (`npm ci` fails with ERESOLVE) and which opens its own connection.
 */
export class RedisWindowStore {
  constructor(
    private readonly client: SiftRedisClient,
    private readonly timeoutMs: number,
  ) {}

  async increment(
    key: string,
    windowMs: number,
    limit: number,
    blockMs: number,
  ): Promise<WindowCount> {
    const keys = [`${KEY_PREFIX}{${key}}:hits`, `${KEY_PREFIX}{${key}}:block`];
    const args = [String(windowMs), String(limit), String(blockMs)];
    let reply: unknown;
    try {
      reply = await this.run(['EVALSHA', SCRIPT_SHA, '2', ...keys, ...args]);
    } catch (error) {
      // The first call on a Redis that has not seen the script (or was restarted) loads it.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      reply = await this.run(['EVAL', SCRIPT, '2', ...keys, ...args]);
    }
    return parseReply(reply);
  }

  private run(args: string[]): Promise<unknown> {
    return this.client.sendCommand<unknown>(args, { timeout: this.timeoutMs });
  }
}

function parseReply(reply: unknown): WindowCount {
  if (!Array.isArray(reply) || reply.length !== 4 || !reply.every((n) => typeof n === 'number')) {
    throw new Error(`Unexpected rate-limit script reply: ${JSON.stringify(reply)}`);
  }
  const [hits, windowLeftMs, blocked, blockLeftMs] = reply;
  return { hits, windowLeftMs, blocked: blocked === 1, blockLeftMs };
}
