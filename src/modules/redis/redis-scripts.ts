import { defineScript, type CommandParser } from '@redis/client';

/**
 * One round trip, atomic across replicas: count a rate-limit hit and start the window on the
 * first. KEYS[1] counts hits; ARGV[1] is the window in ms. Returns {hits, window ms left}.
 */
const RATE_LIMIT_HIT = defineScript({
  NUMBER_OF_KEYS: 1,
  SCRIPT: `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local windowLeft = redis.call('PTTL', KEYS[1])
if windowLeft < 0 then
  -- A counter without expiry (written by hand, say) would refuse the client forever.
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  windowLeft = tonumber(ARGV[1])
end
return {hits, windowLeft}
`,
  parseCommand(parser: CommandParser, key: string, windowMs: number) {
    parser.pushKey(key);
    parser.push(String(windowMs));
  },
  transformReply: (reply: unknown) => reply,
});

/**
 * The Lua scripts Sift's Redis clients run by name, registered when a client is created:
 * node-redis sends EVALSHA and loads the script itself on NOSCRIPT (a new or restarted Redis).
 */
export const SIFT_SCRIPTS = { siftRateLimitHit: RATE_LIMIT_HIT };
