import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiter } from './rate-limiter.service';
import { RATE_LIMITED } from './rate-limited.decorator';

/**
 * Applies the RateLimiter to every `@RateLimited()` route.
 *
 * This is `ThrottlerGuard`'s job, done here because `@nestjs/throttler` 6.7 is CommonJS
 * requiring the ESM-only NestJS 12 packages, which the test runner (Jest's ESM mode on
 * Node 20) cannot load; its shape (a guard over a counter store) is kept.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const marked = this.reflector.getAllAndOverride<boolean | undefined>(RATE_LIMITED, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (marked !== true) return true;
    const http = context.switchToHttp();
    await this.limiter.admit(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
    return true;
  }
}
