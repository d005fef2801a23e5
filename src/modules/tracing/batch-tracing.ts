import { context, ROOT_CONTEXT, trace, type Link, type Span } from '@opentelemetry/api';
import { activeTracer, recordFailure, tracerForChild } from './tracer';

/** A request's wait in a batcher's queue: the span the batch links to. */
export interface QueuedTrace {
  readonly span: Span;
  ended: boolean;
}

/** One dispatch's span; `run` makes it the parent of what the run does (ONNX, tokenizing). */
export interface BatchTrace {
  run<T>(work: () => Promise<T>): Promise<T>;
  end(error?: unknown): void;
}

/**
 * Called where a request enters the queue, in the request's context: starts its `queue wait`
 * span. Undefined when tracing is off or the request is not sampled.
 */
export function traceEnqueue(texts: number): QueuedTrace | undefined {
  const tracer = tracerForChild();
  if (tracer === undefined) return undefined;
  return {
    span: tracer.startSpan('queue wait', { attributes: { 'sift.texts': texts } }),
    ended: false,
  };
}

/**
 * Called where a dispatch starts: one `batch` span, in a trace of its own (it serves many
 * requests, so no one request is its parent), linked to the queue span of every request it
 * serves. Each request's queue span ends here, naming the batch and linking back to it.
 */
export function traceBatch<T>(
  items: readonly T[],
  traceOf: (item: T) => QueuedTrace | undefined,
  texts: number,
): BatchTrace | undefined {
  const tracer = activeTracer();
  if (tracer === undefined) return undefined;
  const requests = [...new Set(items.map(traceOf))].filter((entry) => entry !== undefined);
  // A batch of requests none of which is traced has nothing to link: no span, no context.
  if (requests.length === 0) return undefined;
  const links: Link[] = requests.map((entry) => ({ context: entry.span.spanContext() }));
  const span = tracer.startSpan(
    'batch',
    { links, attributes: { 'sift.batch.texts': texts, 'sift.batch.requests': requests.length } },
    ROOT_CONTEXT,
  );
  const batch = span.spanContext();
  for (const entry of requests) {
    if (entry.ended) continue;
    entry.ended = true;
    entry.span.setAttributes({
      'sift.batch.trace_id': batch.traceId,
      'sift.batch.span_id': batch.spanId,
      'sift.batch.texts': texts,
    });
    entry.span.addLink({ context: batch });
    entry.span.end();
  }
  const parent = trace.setSpan(ROOT_CONTEXT, span);
  return {
    run: (work) => context.with(parent, work),
    end: (error) => {
      if (error !== undefined) recordFailure(span, error);
      span.end();
    },
  };
}

/** A request that left the queue without a batch (timeout, shutdown): its wait ends failed. */
export function traceDequeued(queued: QueuedTrace | undefined, error: unknown): void {
  if (queued === undefined || queued.ended) return;
  queued.ended = true;
  recordFailure(queued.span, error);
  queued.span.end();
}
