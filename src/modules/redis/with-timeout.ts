export class RedisTimeoutError extends Error {
  override readonly name = 'RedisTimeoutError';

  constructor(operation: string, timeoutMs: number) {
    super(`${operation} took longer than ${timeoutMs} ms`);
  }
}

/**
 * Settles with `work` or rejects after `timeoutMs`, whichever comes first. The command itself
 * cannot be cancelled; its late result is dropped (the race keeps it from going unhandled).
 */
export async function withTimeout<T>(
  work: Promise<T>,
  timeoutMs: number,
  operation: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisTimeoutError(operation, timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
