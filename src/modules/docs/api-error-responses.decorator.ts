import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto';

/** Why each status happens, as the README's error table says it. */
const ERROR_STATUSES = {
  400: 'Malformed JSON, a body that is not an object, missing/empty/over-long text, wrong types, unknown fields, batch size out of range, nesting too deep',
  401: 'Admin route without the right key',
  404: 'Unknown model or model version (or, for admin routes, ADMIN_API_KEY is not set)',
  413: 'Body over BODY_LIMIT_BYTES',
  415: 'Content-Type other than application/json',
  422: 'The content filter matched (CONTENT_FILTER)',
  429: 'Rate limit reached; see Retry-After and the RateLimit-* headers',
  503: 'Queue full, shutting down, models not loaded yet, or an inference worker died (see Retry-After)',
  504: 'The request did not finish within REQUEST_TIMEOUT_MS',
} as const;

export type ErrorStatus = keyof typeof ERROR_STATUSES;

/** Documents the error statuses a route can answer, all in the shared error shape. */
export function ApiErrorResponses(...statuses: ErrorStatus[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: ERROR_STATUSES[status], type: ErrorResponseDto }),
    ),
  );
}
