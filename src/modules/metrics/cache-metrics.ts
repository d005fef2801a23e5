import { Counter, Gauge, type Registry } from 'prom-client';
import type { CacheObserver, CacheResult, CacheTier } from '../../common/observability/observers';
import type { RedisConnection } from '../redis/redis-connection.service';

// Records keep these lists exhaustive: a new tier or result fails to compile until listed.
const CACHE_TIERS: Record<CacheTier, true> = { memory: true, redis: true };
const CACHE_RESULTS: Record<CacheResult, true> = {
  hit: true,
  miss: true,
  error: true,
  skipped: true,
};

/** What the prediction cache reports (lookups per tier and result), and whether Redis is up. */
export class CacheMetrics implements CacheObserver {
  private readonly requests: Counter<'tier' | 'result'>;

  constructor(registry: Registry, redis: RedisConnection) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'nlp_cache_requests_total',
      help: 'Prediction cache lookups by tier and result, counted per text',
      labelNames: ['tier', 'result'],
      registers,
    });
    // Known label sets start at 0 so rate() and absent() work before the first lookup.
    for (const tier of Object.keys(CACHE_TIERS) as CacheTier[]) {
      for (const result of Object.keys(CACHE_RESULTS) as CacheResult[]) {
        this.requests.inc({ tier, result }, 0);
      }
    }
    // Only a configured Redis gets a gauge: a permanent 0 would read as an outage. It reads
    // the connection's state at each scrape, as /health does, so the two always agree.
    if (redis.configured) {
      const redisUp: Gauge = new Gauge({
        name: 'nlp_cache_redis_up',
        help: '1 while Redis is connected and its commands are not failing (circuit breaker closed), else 0',
        registers,
        collect: () => redisUp.set(redis.isUp() ? 1 : 0),
      });
    }
  }

  cacheRequest(tier: CacheTier, result: CacheResult, count = 1): void {
    // prom-client throws on a negative increment; a cache bug must not fail a request.
    if (count > 0) this.requests.inc({ tier, result }, count);
  }
}
