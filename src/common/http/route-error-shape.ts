import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import type { ShapedError } from './error-response';

/** A route's own error answer: its status and body, built from Sift's mapping of the error. */
export interface RenderedError {
  readonly status: number;
  readonly body: unknown;
}

/**
 * How a route that speaks another API's wire format (KServe V2, TEI, the Hugging Face API)
 * answers errors. Status, headers, rejection metrics and fault logs still come from Sift's
 * one mapping (`shapeError`); only the answer is the protocol's.
 */
export type ErrorShape = (error: unknown, shaped: ShapedError) => RenderedError;

const ERROR_SHAPE_KEY = 'siftErrorShape';

/**
 * Answers every error of the decorated handler with `shape`, those raised before the handler
 * too (malformed JSON, wrong content type, rate limit), which a controller-scoped exception
 * filter never sees. Kept in Fastify's route config, so the one error path can read it.
 */
export const WithErrorShape = (shape: ErrorShape): MethodDecorator =>
  RouteConfig({ [ERROR_SHAPE_KEY]: shape });

/** The error shape the request's route declares, if any. */
export function routeErrorShape(request: FastifyRequest): ErrorShape | undefined {
  // Errors raised before routing (a malformed URL) have no route and so no config.
  const config: unknown = request.routeOptions?.config;
  if (typeof config !== 'object' || config === null) return undefined;
  const shape = (config as Record<string, unknown>)[ERROR_SHAPE_KEY];
  return typeof shape === 'function' ? (shape as ErrorShape) : undefined;
}
