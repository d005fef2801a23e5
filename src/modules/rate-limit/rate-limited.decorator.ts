import { SetMetadata } from '@nestjs/common';

export const RATE_LIMITED = 'sift:rate-limited';

export interface RateLimitOptions {
  /**
   * How many requests a request stands for, read from its parsed (not yet validated) body:
   * must cope with any value. Left out, or not a positive number, a request costs 1.
   */
  readonly cost?: (body: unknown) => number;
}

/**
 * Puts a controller or route under the per-client rate limit. Opt-in, so probes, metrics
 * and admin routes can never be throttled by accident; all marked routes share one budget.
 * A route's own options replace its controller's.
 */
export const RateLimited = (options: RateLimitOptions = {}): MethodDecorator & ClassDecorator =>
  SetMetadata(RATE_LIMITED, options);
