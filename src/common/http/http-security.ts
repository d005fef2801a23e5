import type { FastifyCorsOptions } from '@fastify/cors';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppConfig } from '../../config';
import { registerJsonBodyParser } from './json-body.parser';
import { registerNdjsonBodyParser } from './ndjson-body.parser';

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
function corsOptions(origins: readonly string[]): FastifyCorsOptions | undefined {
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
const HELMET_OPTIONS: HelmetOptions = {
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
 * The pages (the playground at `/`, Swagger UI at `/docs`) load only their own scripts and
 * styles and call only this server; images may be data: URIs (Swagger UI's icons).
 */
const PAGE_DIRECTIVES = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

/** The playground: its own files only. */
const PLAYGROUND_HELMET_OPTIONS: HelmetOptions = {
  ...HELMET_OPTIONS,
  contentSecurityPolicy: { useDefaults: false, directives: PAGE_DIRECTIVES },
};

/**
 * Swagger UI: as the playground, plus inline styles, which the page @nestjs/swagger writes
 * has (two <style> blocks and a style attribute). Scripts stay 'self' only.
 */
const DOCS_HELMET_OPTIONS: HelmetOptions = {
  ...HELMET_OPTIONS,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { ...PAGE_DIRECTIVES, styleSrc: ["'self'", "'unsafe-inline'"] },
  },
};

/** Paths of the playground page and its assets, and of Swagger UI and its assets. */
const PLAYGROUND_PATH = /^\/(?:playground\/[^?]*)?(?:\?.*)?$/;
const DOCS_PATH = /^\/docs(?:[/?].*)?$/;

/**
 * The headers helmet sets with these options, computed once. With no per-request input (no CSP
 * nonces), helmet's answer is the same for every response; @fastify/helmet rebuilt helmet's
 * middleware and re-parsed the CSP directives on each request, 4% of a cache hit's time.
 */
function helmetHeaders(options: HelmetOptions = HELMET_OPTIONS): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
      return response;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  helmet(options)(
    {} as IncomingMessage,
    response as unknown as ServerResponse,
    (error?: unknown) => (failure = error),
  );
  if (failure !== undefined) {
    throw failure instanceof Error
      ? failure
      : new Error(`helmet refused its options: ${JSON.stringify(failure)}`);
  }
  return headers;
}

function registerSecurityHeaders(fastify: FastifyInstance, config: AppConfig): void {
  const api = helmetHeaders();
  const docs = config.DOCS_ENABLED ? helmetHeaders(DOCS_HELMET_OPTIONS) : api;
  const playground = config.PLAYGROUND_ENABLED ? helmetHeaders(PLAYGROUND_HELMET_OPTIONS) : api;
  const headersFor = (url: string | undefined): Record<string, string> => {
    if (url === undefined) return api;
    if (DOCS_PATH.test(url)) return docs;
    return PLAYGROUND_PATH.test(url) ? playground : api;
  };
  // onRequest, as @fastify/helmet did: every answer carries them, errors and 404s included.
  fastify.addHook('onRequest', (request, reply, done) => {
    const headers = headersFor(request.raw.url);
    void reply.headers(headers);
    done();
  });
}

/**
 * Everything at the HTTP edge that keeps abusive requests cheap: the JSON body parser (depth and
 * prototype-key checks), the NDJSON stream pass-through (its route caps each line), CORS and security headers. Call before `app.init()`.
 */
export function registerHttpSecurity(app: NestFastifyApplication, config: AppConfig): void {
  const fastify = app.getHttpAdapter().getInstance();
  registerJsonBodyParser(fastify, config.MAX_JSON_DEPTH);
  registerNdjsonBodyParser(fastify);
  const cors = corsOptions(config.CORS_ORIGINS);
  if (cors !== undefined) app.enableCors(cors);
  registerSecurityHeaders(fastify, config);
}
