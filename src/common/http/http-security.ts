import type { FastifyCorsOptions } from '@fastify/cors';
import fastifyHelmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../../config';
import { noteRejection } from '../observability/rejection-reason';
import { shapeError } from './error-response';
import { registerJsonBodyParser } from './json-body.parser';

/** Headers a browser script may read from our responses. */
const EXPOSED_HEADERS = [
  'X-Request-Id',
  'Retry-After',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'RateLimit-Policy',
];

/**
 * CORS for the CORS_ORIGINS allowlist, or undefined (no CORS headers at all) when it is
 * empty. Never with credentials: the API uses no cookies, so `*` stays safe. Only the
 * classify and read routes are meant for browsers; admin calls (their key header is not
 * allowed here) come from servers and scripts.
 */
export function corsOptions(origins: readonly string[]): FastifyCorsOptions | undefined {
  if (origins.length === 0) return undefined;
  return {
    origin: origins.includes('*') ? '*' : [...origins],
    credentials: false,
    methods: ['GET', 'POST'],
    allowedHeaders: ['Content-Type', 'X-Request-Id'],
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
    // A strict check answers a bare OPTIONS with a text/plain 400 outside our error shape;
    // relaxed, it gets a 204 that grants nothing unless the origin is allowed.
    strictPreflight: false,
  };
}

/** Helmet tuned for a JSON API: no page to style or script, so the strictest CSP costs nothing. */
export const HELMET_OPTIONS: FastifyHelmetOptions = {
  global: true,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  // Only honoured over HTTPS (TLS ends at the proxy); subdomains are not ours to decide.
  strictTransportSecurity: { maxAge: 15_552_000, includeSubDomains: false },
};

/**
 * Everything at the HTTP edge that keeps abusive requests cheap: the JSON-only body parser
 * (depth and prototype-key checks), CORS and security headers. Call before `app.init()`.
 */
export async function registerHttpSecurity(
  app: NestFastifyApplication,
  config: AppConfig,
): Promise<void> {
  registerJsonBodyParser(app.getHttpAdapter().getInstance(), config.MAX_JSON_DEPTH);
  const cors = corsOptions(config.CORS_ORIGINS);
  if (cors !== undefined) app.enableCors(cors);
  await app.register(fastifyHelmet, HELMET_OPTIONS);
}

/**
 * Fastify's `frameworkErrors` option: errors it raises before routing (a malformed URL such
 * as `/classify%zz`) are otherwise answered by Fastify itself, outside our error shape.
 */
export function replyWithShapedError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const shaped = shapeError(error, String(request.id));
  noteRejection(request, error, shaped.status);
  void reply.status(shaped.status).headers(shaped.headers).send(shaped.body);
}
