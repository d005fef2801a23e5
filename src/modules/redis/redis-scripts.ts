import { defineScript, type CommandParser } from '@redis/client';

/**
 * One round trip, atomic across replicas: count a rate-limit hit and start the window on the
 * first. KEYS[1] counts hits; ARGV[1] is the window in ms, ARGV[2] what this request costs (1, or
 * more for a request that stands for several, such as an explanation). Returns {hits, window ms
 * left}.
 */
const RATE_LIMIT_HIT = defineScript({
  NUMBER_OF_KEYS: 1,
  SCRIPT: `
local hits = redis.call('INCRBY', KEYS[1], ARGV[2])
if hits == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local windowLeft = redis.call('PTTL', KEYS[1])
if windowLeft < 0 then
  -- A counter without expiry (written by hand, say) would refuse the client forever.
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  windowLeft = tonumber(ARGV[1])
end
return {hits, windowLeft}
`,
  parseCommand(parser: CommandParser, key: string, windowMs: number, cost: number) {
    parser.pushKey(key);
    parser.push(String(windowMs));
    parser.push(String(cost));
  },
  transformReply: (reply: unknown) => reply,
});

/**
 * The Lua scripts Sift's Redis clients run by name, registered when a client is created:
 * node-redis sends EVALSHA and loads the script itself on NOSCRIPT (a new or restarted Redis).
 */
export const SIFT_SCRIPTS = { siftRateLimitHit: RATE_LIMIT_HIT };
