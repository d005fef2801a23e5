import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientKey } from './client-key';
import { RATE_LIMIT_POLICY, type RateLimitPolicy } from './rate-limit.policy';
import { RateLimitStorage } from './rate-limit.storage';
import { requestSpanParent } from '../../common/observability/request-trace';
import { inSpan } from '../tracing/tracer';

/**
 * Counts a request against its client and refuses it with a 429 past RATE_LIMIT per window.
 * Answers carry the IETF draft headers (draft-ietf-httpapi-ratelimit-headers): RateLimit-Limit,
 * -Remaining, -Reset (seconds) and RateLimit-Policy; a 429 adds Retry-After. The guard is
 * its only caller, so a request is counted once by construction.
 */
@Injectable()
export class RateLimiter {
  private readonly policyHeader: string;

  constructor(
    private readonly storage: RateLimitStorage,
    @Inject(RATE_LIMIT_POLICY) private readonly policy: RateLimitPolicy,
  ) {
    this.policyHeader = `${policy.limit};w=${policy.windowSeconds}`;
  }

  /**
   * Resolves when the request may go on; rejects with the 429 HttpException otherwise. `cost`:
   * how many requests this one stands for (an explanation runs one text per word).
   */
  async admit(request: FastifyRequest, reply: FastifyReply, cost = 1): Promise<void> {
    const { limit, windowSeconds } = this.policy;
    const record = await inSpan(
      requestSpanParent(request),
      'rate limit check',
      { 'sift.rate_limit.limit': limit, 'sift.rate_limit.cost': cost },
      (step) =>
        this.storage.increment(clientKey(request.ip), windowSeconds * 1000, limit, cost, step),
      (counted) => ({ 'sift.rate_limit.blocked': counted.isBlocked }),
    );

    void reply.headers({
      'ratelimit-limit': String(limit),
      'ratelimit-remaining': String(Math.max(0, limit - record.totalHits)),
      'ratelimit-reset': String(record.timeToExpire),
      'ratelimit-policy': this.policyHeader,
    });
    if (!record.isBlocked) return;

    void reply.header('retry-after', String(record.timeToExpire));
    throw new HttpException(
      `Rate limit exceeded: at most ${limit} requests per ${windowSeconds} s per client; ` +
        `retry in ${record.timeToExpire} s`,
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }

  /**
   * Counts `cost` more requests for the client of a request already admitted: a stream's texts,
   * charged as they arrive. Resolves to the seconds until the window resets when the client is
   * over the limit (the caller waits or stops), else 0; the texts are counted either way.
   */
  async charge(request: FastifyRequest, cost: number): Promise<number> {
    const { limit, windowSeconds } = this.policy;
    const record = await this.storage.increment(
      clientKey(request.ip),
      windowSeconds * 1000,
      limit,
      cost,
      requestSpanParent(request),
    );
    return record.isBlocked ? Math.max(1, record.timeToExpire) : 0;
  }
}
