/** The body sent nothing for the idle limit while the stream was waiting to read it. */
export class StreamIdleError extends Error {
  constructor(readonly idleMs: number) {
    super(`no body bytes arrived for ${idleMs} ms`);
    this.name = 'StreamIdleError';
  }
}

const IDLE = Symbol('idle');

/**
 * `source`'s chunks, until a read waits `idleMs` for one: then StreamIdleError. Only time spent
 * waiting for the client counts: while the consumer is busy (backpressure, a rate-limit wait)
 * no read is pending and no timer runs. On idleness the source is left open, not destroyed:
 * destroying a request body closes its connection, and the answer is still to be written.
 */
export async function* untilIdle<T>(source: AsyncIterable<T>, idleMs: number): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  // False while the consumer may still leave early, which must release the source.
  let over = false;
  try {
    for (;;) {
      const pending = iterator.next();
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<typeof IDLE>((resolve) => {
        timer = setTimeout(() => resolve(IDLE), idleMs);
      });
      let step: IteratorResult<T> | typeof IDLE;
      try {
        step = await Promise.race([pending, idle]);
      } catch (error) {
        over = true;
        throw error;
      } finally {
        clearTimeout(timer);
      }
      if (step === IDLE) {
        over = true;
        // Settles (rejects) when the connection closes; nobody waits for it any more.
        pending.catch(() => undefined);
        throw new StreamIdleError(idleMs);
      }
      if (step.done === true) {
        over = true;
        return;
      }
      yield step.value;
    }
  } finally {
    if (!over) await iterator.return?.();
  }
}
