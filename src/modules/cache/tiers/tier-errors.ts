import type { HttpErrorInfo, HttpMappedError } from '../../../common/http/http-mapped-error';

/**
 * Thrown by invalidation when the shared tier cannot be reached, after the memory tier was
 * cleared: claiming success would leave Redis's entries to be served later.
 */
export class CacheTierUnavailableError extends Error implements HttpMappedError {
  override readonly name = 'CacheTierUnavailableError';

  get http(): HttpErrorInfo {
    return {
      status: 503,
      message: `${this.message}: the memory tier was cleared, Redis was not; retry when Redis is back`,
    };
  }
}

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
