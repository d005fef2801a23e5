import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { replyWithShapedError } from '../../common/http/error-response';
import { annotateRequest } from '../../common/http/request-annotation';
import { APP_CONFIG, type AppConfig } from '../../config';
import { RateLimiter } from '../rate-limit';
import {
  ClassificationService,
  type ClassifyOptions,
  type FastPathLookup,
  type FastPathMiss,
} from './classification.service';
import {
  MODEL_NAME_PATTERN,
  MODEL_VERSION_MAX_LENGTH,
  TOP_K_MAX,
} from './dto/classify-request.dto';

const ROUTE = '/classify';
const ACCEPTED_KEYS: ReadonlySet<string> = new Set(['text', 'model', 'model_version', 'top_k']);

/** A single-text classify body in its plainest valid form. */
export interface PlainClassifyBody extends ClassifyOptions {
  readonly text: string;
}

/**
 * The body as the fast path may use it, or undefined to leave the request to Nest. Accepts
 * only bodies that ClassifyRequestDto accepts too (a test holds the two together); anything
 * unusual, valid or not, goes the long way, where validation explains what is wrong. The text
 * itself needs no checks here: only texts that passed TextRulesPipe ever enter the cache.
 */
export function plainClassifyBody(body: unknown): PlainClassifyBody | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const fields = body as Record<string, unknown>;
  for (const key in fields) if (!ACCEPTED_KEYS.has(key)) return undefined;
  const { text, model, model_version: modelVersion, top_k: topK } = fields;
  if (typeof text !== 'string' || text.length === 0) return undefined;
  if (model !== undefined && (typeof model !== 'string' || !MODEL_NAME_PATTERN.test(model))) {
    return undefined;
  }
  if (
    modelVersion !== undefined &&
    (typeof modelVersion !== 'string' || modelVersion.length > MODEL_VERSION_MAX_LENGTH)
  ) {
    return undefined;
  }
  if (
    topK !== undefined &&
    (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 1 || topK > TOP_K_MAX)
  ) {
    return undefined;
  }
  return { text, model, modelVersion, topK };
}

// Keyed by the request object, like request annotations: gone with the request.
const misses = new WeakMap<
  FastifyRequest,
  { readonly text: string; readonly miss: FastPathMiss }
>();

/**
 * The fast path's memory miss for `text` on this request, so the long way continues from the
 * model it resolved and the key it computed; undefined if the fast path did not get that far
 * for exactly this text.
 */
export function fastPathMissFor(request: FastifyRequest, text: string): FastPathMiss | undefined {
  const noted = misses.get(request);
  return noted !== undefined && noted.text === text ? noted.miss : undefined;
}

function optionalLimiter(app: NestFastifyApplication): RateLimiter | undefined {
  // RATE_LIMIT=0: the rate-limit module provides nothing.
  const config = app.get<AppConfig>(APP_CONFIG);
  return config.RATE_LIMIT === 0 ? undefined : app.get(RateLimiter, { strict: false });
}

/**
 * Answers `POST /classify` from this replica's memory tier before Nest's pipeline, which
 * costs about five times more than the lookup itself (guard, validation pipes, interceptors).
 * The request is rate-limited, counted, logged and shaped exactly as on the long way; on a
 * miss, or for any body it does not recognise, it continues there untouched.
 */
export function registerCacheHitFastPath(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const classification = app.get(ClassificationService);
  const limiter = optionalLimiter(app);

  const answer = (request: FastifyRequest, reply: FastifyReply, body: PlainClassifyBody) => {
    let lookup: FastPathLookup | undefined;
    try {
      lookup = classification.lookupMemory(body.text, body);
    } catch {
      // Whatever went wrong, the long way answers it properly (and logs it if it is a fault).
      return false;
    }
    if (lookup === undefined) return false;
    if (lookup.result === undefined) {
      misses.set(request, { text: body.text, miss: lookup.miss });
      return false;
    }
    annotateRequest(request, { model: lookup.result.model, texts: 1, cached: 1 });
    void reply.code(200).send(lookup.result);
    return true;
  };

  fastify.addHook('preHandler', (request, reply, done) => {
    if (request.method !== 'POST' || request.routeOptions.url !== ROUTE) return done();
    const body = plainClassifyBody(request.body);
    if (body === undefined) return done();
    if (limiter === undefined) {
      if (!answer(request, reply, body)) done();
      return;
    }
    // Admitted here, the request is not counted again if it continues to the guard.
    limiter.admit(request, reply).then(
      () => {
        if (!answer(request, reply, body)) done();
      },
      (error: Error) => replyWithShapedError(error, request, reply),
    );
  });
}
