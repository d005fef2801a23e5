import {
  Injectable,
  NotFoundException,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { InjectConfig, type AppConfig } from '../../config';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Hashing first gives both sides the same length, which timingSafeEqual requires. */
function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** The key a request presents in `x-api-key` or `Authorization: Bearer <key>`. */
export function presentedAdminKey(headers: FastifyRequest['headers']): string | undefined {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey.length > 0) return apiKey;
  const authorization = headers.authorization;
  return typeof authorization === 'string' ? BEARER.exec(authorization)?.[1] : undefined;
}

/**
 * Admits requests carrying ADMIN_API_KEY. Without a configured key the guarded routes are
 * disabled and answer 404 as if they did not exist, rather than being open to anyone.
 */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  // Rejections are counted where every error is shaped (the exception filter), not here.
  constructor(@InjectConfig() config: AppConfig) {
    this.expected = config.ADMIN_API_KEY === undefined ? undefined : digest(config.ADMIN_API_KEY);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (this.expected === undefined) {
      throw new NotFoundException(`Cannot ${request.method} ${request.url}`);
    }
    const presented = presentedAdminKey(request.headers);
    if (presented === undefined || !timingSafeEqual(digest(presented), this.expected)) {
      throw new UnauthorizedException({
        message: 'A valid admin API key is required (X-Api-Key header or Bearer token)',
        headers: { 'www-authenticate': 'Bearer realm="sift-admin"' },
      });
    }
    return true;
  }
}
