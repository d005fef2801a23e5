import { SetMetadata } from '@nestjs/common';

export const RATE_LIMITED = 'sift:rate-limited';

/**
 * Puts a controller or route under the per-client rate limit. Opt-in, so probes, metrics
 * and admin routes can never be throttled by accident; all marked routes share one budget.
 */
export const RateLimited = (): MethodDecorator & ClassDecorator => SetMetadata(RATE_LIMITED, true);
