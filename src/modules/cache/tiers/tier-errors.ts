/** Thrown by admin operations when the shared tier cannot be reached. */
export class CacheTierUnavailableError extends Error {
  override readonly name = 'CacheTierUnavailableError';
}

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
