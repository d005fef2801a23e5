import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientKey } from './client-key';
import { RATE_LIMIT_POLICY, type RateLimitPolicy } from './rate-limit.policy';
import { RateLimitStorage } from './rate-limit.storage';
import { inSpan } from '../tracing/tracer';

/**
 * Counts a request against its client and refuses it with a 429 past RATE_LIMIT per window.
 * Answers carry the IETF draft headers (draft-ietf-httpapi-ratelimit-headers): RateLimit-Limit,
 * -Remaining, -Reset (seconds) and RateLimit-Policy; a 429 adds Retry-After. A request is
 * counted once, whichever path (the guard or the classify fast path) admits it first.
 */
@Injectable()
export class RateLimiter {
  private readonly policyHeader: string;
  private readonly admitted = new WeakSet<FastifyRequest>();

  constructor(
    private readonly storage: RateLimitStorage,
    @Inject(RATE_LIMIT_POLICY) private readonly policy: RateLimitPolicy,
  ) {
    this.policyHeader = `${policy.limit};w=${policy.windowSeconds}`;
  }

  /** Resolves when the request may go on; rejects with the 429 HttpException otherwise. */
  async admit(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (this.admitted.has(request)) return;
    const { limit, windowSeconds } = this.policy;
    const record = await inSpan(
      'rate limit check',
      { 'sift.rate_limit.limit': limit },
      () => this.storage.increment(clientKey(request.ip), windowSeconds * 1000, limit),
      (counted) => ({ 'sift.rate_limit.blocked': counted.isBlocked }),
    );

    void reply.headers({
      'ratelimit-limit': String(limit),
      'ratelimit-remaining': String(Math.max(0, limit - record.totalHits)),
      'ratelimit-reset': String(record.timeToExpire),
      'ratelimit-policy': this.policyHeader,
    });
    if (!record.isBlocked) {
      this.admitted.add(request);
      return;
    }

    void reply.header('retry-after', String(record.timeToExpire));
    throw new HttpException(
      `Rate limit exceeded: at most ${limit} requests per ${windowSeconds} s per client; ` +
        `retry in ${record.timeToExpire} s`,
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
