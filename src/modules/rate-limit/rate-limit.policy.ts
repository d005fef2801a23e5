export interface RateLimitPolicy {
  /** Requests each client may make per window (RATE_LIMIT, at least 1 here). */
  readonly limit: number;
  readonly windowSeconds: number;
}

export const RATE_LIMIT_POLICY = Symbol('sift:rate-limit-policy');
