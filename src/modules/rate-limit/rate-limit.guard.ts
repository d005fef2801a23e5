import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiter } from './rate-limiter.service';
import { RATE_LIMITED, type RateLimitOptions } from './rate-limited.decorator';

function costOf(options: RateLimitOptions, request: FastifyRequest): number {
  const cost = options.cost?.(request.body) ?? 1;
  return Number.isFinite(cost) && cost >= 1 ? Math.floor(cost) : 1;
}

/**
 * Applies the RateLimiter to every `@RateLimited()` route.
 *
 * This is `ThrottlerGuard`'s job, done here because `@nestjs/throttler` 6.7 is CommonJS
 * requiring the ESM-only NestJS 12 packages, which the test runner (Jest's ESM mode on
 * Node 20) cannot load; its shape (a guard over a counter store) is kept.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  /** Each handler's options (null: not limited); metadata never changes once the app runs. */
  private readonly optionsByHandler = new WeakMap<object, RateLimitOptions | null>();

  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const options = this.optionsOf(context);
    if (options === undefined) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    await this.limiter.admit(request, http.getResponse<FastifyReply>(), costOf(options, request));
    return true;
  }

  private optionsOf(context: ExecutionContext): RateLimitOptions | undefined {
    const handler = context.getHandler();
    let options = this.optionsByHandler.get(handler);
    if (options === undefined) {
      options =
        this.reflector.getAllAndOverride<RateLimitOptions | undefined>(RATE_LIMITED, [
          handler,
          context.getClass(),
        ]) ?? null;
      this.optionsByHandler.set(handler, options);
    }
    return options ?? undefined;
  }
}
