import {
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientKey } from './client-key';
import { RATE_LIMIT_POLICY, type RateLimitPolicy } from './rate-limit.policy';
import { RateLimitStorage } from './rate-limit.storage';
import { RATE_LIMITED } from './rate-limited.decorator';

/** The throttler name `ThrottlerStorage.increment` is given: Sift has one limit. */
const THROTTLER_NAME = 'default';

/**
 * Counts each request to a `@RateLimited()` route against its client and refuses the ones
 * over RATE_LIMIT per window with a 429. Answers carry the IETF draft headers
 * (draft-ietf-httpapi-ratelimit-headers): RateLimit-Limit, -Remaining, -Reset (seconds) and
 * RateLimit-Policy; a 429 adds Retry-After.
 *
 * This is `ThrottlerGuard`'s job, done here over a `ThrottlerStorage` because
 * `@nestjs/throttler` 6.7 is CommonJS requiring the ESM-only NestJS 12 packages, which the
 * test runner (Jest's ESM mode on Node 20) cannot load.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly policyHeader: string;

  constructor(
    private readonly reflector: Reflector,
    private readonly storage: RateLimitStorage,
    @Inject(RATE_LIMIT_POLICY) private readonly policy: RateLimitPolicy,
  ) {
    this.policyHeader = `${policy.limit};w=${policy.windowSeconds}`;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const marked = this.reflector.getAllAndOverride<boolean | undefined>(RATE_LIMITED, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (marked !== true) return true;

    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { limit, windowSeconds } = this.policy;
    // blockDuration 0: an over-limit client waits for its window to end, no extra penalty.
    const record = await this.storage.increment(
      clientKey(request.ip),
      windowSeconds * 1000,
      limit,
      0,
      THROTTLER_NAME,
    );

    const reset = record.isBlocked ? record.timeToBlockExpire : record.timeToExpire;
    void reply.headers({
      'ratelimit-limit': String(limit),
      'ratelimit-remaining': String(Math.max(0, limit - record.totalHits)),
      'ratelimit-reset': String(reset),
      'ratelimit-policy': this.policyHeader,
    });
    if (!record.isBlocked) return true;

    void reply.header('retry-after', String(record.timeToBlockExpire));
    throw new HttpException(
      `Rate limit exceeded: at most ${limit} requests per ${windowSeconds} s per client; ` +
        `retry in ${record.timeToBlockExpire} s`,
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
