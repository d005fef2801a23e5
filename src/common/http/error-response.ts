import { HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { noteRejection } from '../observability/rejection-reason';
import { isHttpMappedError } from './http-mapped-error';
import { routeErrorShape } from './route-error-shape';

/** The one error shape every response uses. */
export interface ErrorBody {
  readonly statusCode: number;
  readonly error: string;
  readonly message: string;
  readonly requestId: string;
}

export interface ShapedError {
  readonly status: number;
  readonly body: ErrorBody;
  readonly headers: Readonly<Record<string, string>>;
  /** Server faults are logged with their stack; client mistakes are not. */
  readonly isServerFault: boolean;
}

interface FastifyLikeError {
  statusCode?: unknown;
  code?: unknown;
  message?: unknown;
}

/** Fastify's own errors (body parsing, content type, size) by code, with a clearer message. */
interface ShapedFastifyError {
  readonly status: number;
  readonly message?: string;
}

const FASTIFY_ERRORS: Readonly<Record<string, ShapedFastifyError>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    message: 'Request body is larger than the allowed limit',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, message: 'Content-Type must be application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    message: 'Content-Length does not match the body',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    message: 'Body must not be empty when Content-Type is application/json',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, message: 'Malformed JSON body' },
};

function hasKnownFastifyCode(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code } = error as FastifyLikeError;
  return typeof code === 'string' && Object.hasOwn(FASTIFY_ERRORS, code);
}

function statusText(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

function shape(
  status: number,
  message: string,
  requestId: string,
  headers: Record<string, string> = {},
): ShapedError {
  return {
    status,
    body: { statusCode: status, error: statusText(status), message, requestId },
    headers,
    isServerFault: status >= 500 && status !== 503 && status !== 504,
  };
}

/**
 * Maps anything thrown while serving a request to its status, body and headers: the one place
 * errors become HTTP. Nest's HttpExceptions, domain errors (HttpMappedError) and Fastify's own
 * errors are known; anything else is a 500.
 */
export function shapeError(error: unknown, requestId: string): ShapedError {
  // Nest 12's Fastify error handler wraps Fastify's own errors in an HttpException (the
  // original is its cause), which would hide the codes mapped above.
  if (error instanceof HttpException && hasKnownFastifyCode(error.cause)) {
    return shapeError(error.cause, requestId);
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const headers: Record<string, string> = {};
    let message = error.message;
    if (typeof response === 'object' && response !== null) {
      const raw = (response as { message?: unknown }).message;
      // The validation pipe stops at a field's first failure, so this lists one message per
      // wrong field (one wording per mistake).
      if (Array.isArray(raw)) {
        message = raw.map(String).join('; ');
      } else if (typeof raw === 'string') {
        message = raw;
      }
      const retryAfter = (response as { retryAfterSeconds?: unknown }).retryAfterSeconds;
      if (typeof retryAfter === 'number') headers['retry-after'] = String(retryAfter);
      // An exception may name response headers of its own (e.g. WWW-Authenticate on a 401).
      const extraHeaders = (response as { headers?: unknown }).headers;
      if (typeof extraHeaders === 'object' && extraHeaders !== null) {
        for (const [name, value] of Object.entries(extraHeaders)) {
          if (typeof value === 'string') headers[name.toLowerCase()] = value;
        }
      }
    }
    return shape(status, message, requestId, headers);
  }
  // Domain errors say what HTTP needs themselves (HttpMappedError).
  if (isHttpMappedError(error)) {
    const { status, message = error.message, retryAfterSeconds } = error.http;
    const headers: Record<string, string> =
      retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
    return shape(status, message, requestId, headers);
  }
  const fastifyError = error as FastifyLikeError;
  if (typeof fastifyError === 'object' && fastifyError !== null) {
    const code = typeof fastifyError.code === 'string' ? fastifyError.code : undefined;
    const known = code === undefined ? undefined : FASTIFY_ERRORS[code];
    if (known !== undefined) {
      const message =
        typeof fastifyError.message === 'string' ? fastifyError.message : statusText(known.status);
      return shape(known.status, known.message ?? message, requestId);
    }
    const status = fastifyError.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message =
        typeof fastifyError.message === 'string' ? fastifyError.message : statusText(status);
      return shape(status, message, requestId);
    }
  }
  return shape(500, 'Internal server error', requestId);
}

/**
 * Answers with the uniform error shape, or the route's own (see WithErrorShape), and notes why
 * the request was refused. The exception filter sends through it, and so do Fastify's
 * `frameworkErrors` option (errors raised before routing, such as a malformed URL, which
 * Fastify would otherwise answer outside our shape) and the hooks that answer before Nest.
 */
export function replyWithShapedError(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): ShapedError {
  const shaped = shapeError(error, String(request.id));
  noteRejection(request, error, shaped.status);
  const answer = routeErrorShape(request)?.(error, shaped) ?? {
    status: shaped.status,
    body: shaped.body,
  };
  void reply.status(answer.status).headers(shaped.headers).send(answer.body);
  return shaped;
}
