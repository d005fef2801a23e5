import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { answerWithError } from '../../common/filters/all-exceptions.filter';
import { replyWithShapedError } from '../../common/http/error-response';
import { annotateRequest } from '../../common/http/request-annotation';
import { TextRulesPipe } from '../../common/pipes/text-rules.pipe';
import { APP_CONFIG, type AppConfig } from '../../config';
import { MODEL_NAME_PATTERN } from '../inference';
import { RateLimiter } from '../rate-limit';
import {
  ClassificationService,
  type ClassifyOptions,
  type FastPathLookup,
} from './classification.service';
import { MODEL_VERSION_MAX_LENGTH, TOP_K_MAX } from './dto/classify-request.dto';

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
 * itself is checked later, and only before it is classified: only texts that passed the text
 * rules ever enter the cache, so a hit needs no check.
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

function optionalLimiter(app: NestFastifyApplication): RateLimiter | undefined {
  // RATE_LIMIT=0: the rate-limit module provides nothing.
  const config = app.get<AppConfig>(APP_CONFIG);
  return config.RATE_LIMIT === 0 ? undefined : app.get(RateLimiter, { strict: false });
}

/**
 * Serves plain single-text `POST /classify` requests in a Fastify `preHandler`, before Nest's
 * pipeline (router, guard, validation pipes, exception filter), which cost the event loop
 * more than a cache hit and about as much as spam-en's tokenizing and run together. A hit is
 * answered from this replica's memory tier; a miss is classified here too, once its text
 * passes the text rules. The request is rate-limited, counted, logged and shaped exactly as
 * on the long way. Anything else (another body shape, an unknown model, a text that breaks a
 * rule) continues to Nest untouched, which words the refusal: one place for error messages.
 */
export function registerClassifyFastPath(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const classification = app.get(ClassificationService);
  const config = app.get<AppConfig>(APP_CONFIG);
  const rules = new TextRulesPipe(config);
  const limiter = optionalLimiter(app);

  /** False leaves the request to Nest. */
  const serve = (request: FastifyRequest, reply: FastifyReply, body: PlainClassifyBody) => {
    let lookup: FastPathLookup | undefined;
    try {
      lookup = classification.lookupFast(body.text, body);
      if (lookup?.result === undefined) rules.check([body.text]);
    } catch {
      // Whatever went wrong, the long way answers it properly (and logs it if it is a fault).
      return false;
    }
    if (lookup === undefined) return false;
    if (lookup.result !== undefined) {
      annotateRequest(request, { model: lookup.result.model, texts: 1, cached: 1 });
      void reply.code(200).send(lookup.result);
      return true;
    }
    annotateRequest(request, { model: body.model, texts: 1 });
    classification.classify([body.text], body, lookup.miss).then(
      ([result]) => {
        annotateRequest(request, { model: result.model, cached: result.cached ? 1 : 0 });
        void reply.code(200).send(result);
      },
      (error: unknown) => answerWithError(error, request, reply),
    );
    return true;
  };

  fastify.addHook('preHandler', (request, reply, done) => {
    if (request.method !== 'POST' || request.routeOptions.url !== ROUTE) return done();
    const body = plainClassifyBody(request.body);
    if (body === undefined) return done();
    if (limiter === undefined) {
      if (!serve(request, reply, body)) done();
      return;
    }
    // Admitted here, the request is not counted again if it continues to the guard.
    limiter.admit(request, reply).then(
      () => {
        if (!serve(request, reply, body)) done();
      },
      (error: Error) => replyWithShapedError(error, request, reply),
    );
  });
}
