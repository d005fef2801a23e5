import type { z } from 'zod';

interface StreamTimeouts {
  readonly STREAM_IDLE_TIMEOUT_MS: number;
  readonly STREAM_RATE_LIMIT_WAIT_MS: number;
  readonly HTTP_CONNECTION_TIMEOUT_MS: number;
}

/**
 * A stream's own waits must end before the socket's silence limit: Node closes a socket silent
 * for HTTP_CONNECTION_TIMEOUT_MS without a word, so a longer idle or rate-limit wait would cut a
 * bulk job with no error line saying where it stopped. Refused at start-up instead.
 */
export function checkStreamTimeouts(settings: StreamTimeouts, context: z.RefinementCtx): void {
  const silence = settings.HTTP_CONNECTION_TIMEOUT_MS;
  if (silence === 0) return;
  for (const variable of ['STREAM_IDLE_TIMEOUT_MS', 'STREAM_RATE_LIMIT_WAIT_MS'] as const) {
    if (settings[variable] >= silence) {
      context.addIssue({
        code: 'custom',
        path: [variable],
        message: `must be below HTTP_CONNECTION_TIMEOUT_MS (${silence}), which closes a silent socket without an error line`,
      });
    }
  }
}
