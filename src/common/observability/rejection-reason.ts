import type { FastifyRequest } from 'fastify';
import { isHttpMappedError } from '../http/http-mapped-error';
import { annotateRequest } from '../http/request-annotation';
import type { RejectionReason } from './observers';

/**
 * Why a request was turned away, from the error and the status it was shaped into; undefined
 * for server faults and statuses that are not a refusal. The one place this mapping lives:
 * the exception filter and Fastify's error handler both call it.
 */
export function rejectionReason(error: unknown, status: number): RejectionReason | undefined {
  // A domain error that names its reason (queue full, draining) knows better than its status.
  if (isHttpMappedError(error) && error.http.rejection !== undefined) return error.http.rejection;
  switch (status) {
    case 400:
    case 413:
    case 415:
    case 422:
      return 'validation';
    case 401:
    case 403:
      return 'unauthorized';
    // A known path with the wrong method (405) matched no route either.
    case 404:
    case 405:
      return 'not_found';
    case 429:
      return 'rate_limited';
    // Other 503s (models still loading, a failed readiness check) are not load shedding.
    case 503:
      return undefined;
    case 504:
      return 'timeout';
    default:
      return undefined;
  }
}

/** Records on the request why it was refused, for its metrics and log line. */
export function noteRejection(request: FastifyRequest, error: unknown, status: number): void {
  annotateRequest(request, { rejection: rejectionReason(error, status) });
}
