import type { SpanParent } from '../../common/observability/request-trace';
import { recordStep } from './tracer';

/**
 * A `cache lookup` span for one tier of one request: how many of its texts that tier held. The
 * lookup itself is already over (memory answers synchronously; Redis has its own span).
 */
export function recordCacheLookup(
  parent: SpanParent | undefined,
  tier: 'memory' | 'redis',
  hits: number,
  misses: number,
): void {
  if (parent === undefined) return;
  recordStep(parent, 'cache lookup', {
    'sift.cache.tier': tier,
    'sift.cache.hits': hits,
    'sift.cache.misses': misses,
    'sift.cache.outcome': misses === 0 ? 'hit' : 'miss',
  });
}
