import type { RejectionReason } from '../observability/observers';

/** What HTTP needs to know about a domain error. */
export interface HttpErrorInfo {
  readonly status: number;
  /** What the client is told; the error's own message when absent. */
  readonly message?: string;
  /** Sent as `Retry-After`. */
  readonly retryAfterSeconds?: number;
  /** Why the request was refused, for metrics and logs; the status decides when absent. */
  readonly rejection?: RejectionReason;
}

/**
 * A domain error that says how it reaches HTTP, so the one error mapping (error-response.ts)
 * needs no knowledge of the feature that threw it.
 */
export interface HttpMappedError extends Error {
  readonly http: HttpErrorInfo;
}

export function isHttpMappedError(error: unknown): error is HttpMappedError {
  if (!(error instanceof Error)) return false;
  const http: unknown = (error as { http?: unknown }).http;
  return (
    typeof http === 'object' &&
    http !== null &&
    typeof (http as { status?: unknown }).status === 'number'
  );
}
