import { ROOT_CONTEXT, type Link, type Span } from '@opentelemetry/api';
import type { SpanParent } from '../../common/observability/request-trace';
import { recordFailure, sampledParent, startChild } from './tracer';

/** A request's wait in a batcher's queue: the span the batch links to. */
export interface QueuedTrace {
  readonly parent: SpanParent;
  readonly span: Span;
  ended: boolean;
}

/** One dispatch's span: the parent of what the run does (ONNX, tokenizing). */
export interface BatchTrace {
  /** Undefined when the sampler dropped the batch's own trace. */
  readonly parent: SpanParent | undefined;
  end(error?: unknown): void;
}

/**
 * Called where a request enters the queue: starts its `queue wait` span under the request's
 * span. Undefined when the request is not traced.
 */
export function traceEnqueue(
  parent: SpanParent | undefined,
  texts: number,
): QueuedTrace | undefined {
  if (parent === undefined) return undefined;
  return { parent, span: startChild(parent, 'queue wait', { 'sift.texts': texts }), ended: false };
}

/**
 * Called where a dispatch starts: one `batch` span, in a trace of its own (it serves many
 * requests, so no one request is its parent), linked to the queue span of every request it
 * serves. Each request's queue span ends here, naming the batch and linking back to it.
 * Undefined when none of the requests is traced: nothing to link, no span.
 */
export function traceBatch<T>(
  items: readonly T[],
  traceOf: (item: T) => QueuedTrace | undefined,
  texts: number,
): BatchTrace | undefined {
  const requests = [...new Set(items.map(traceOf))].filter((entry) => entry !== undefined);
  if (requests.length === 0) return undefined;
  const { tracer } = requests[0].parent;
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
  return {
    parent: sampledParent(tracer, span),
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
