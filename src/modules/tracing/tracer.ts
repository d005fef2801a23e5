import {
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { SpanParent } from '../../common/observability/request-trace';

/** The instrumentation scope every Sift span carries. */
export const TRACER_NAME = 'sift';

/** Marks a span failed with the error's message (no stack: spans may leave the network). */
export function recordFailure(span: Span, error: unknown): void {
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

/** Whether the sampler kept the span (it is exported, so it can parent steps and be linked). */
export function isSampled(span: Span): boolean {
  return (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0;
}

/** A new span as a child of `parent`; the caller ends it. */
export function startChild(parent: SpanParent, name: string, attributes?: Attributes): Span {
  return parent.tracer.startSpan(name, { attributes }, trace.setSpan(ROOT_CONTEXT, parent.span));
}

/**
 * Runs `work` in a child span of `parent`, ended when `work` settles; without a parent (tracing
 * off, or a request the sampler dropped) it just runs `work`, with no span. `work` receives the
 * child as the parent of its own steps. Attributes may be a function, so that computing them
 * costs nothing without a parent; `describe` adds those known only from the result.
 */
export function inSpan<T>(
  parent: SpanParent | undefined,
  name: string,
  attributes: Attributes | (() => Attributes),
  work: (step: SpanParent | undefined) => Promise<T>,
  describe?: (result: T) => Attributes,
): Promise<T> {
  // Not async itself: without a parent the caller gets `work`'s own promise, no extra turn.
  return parent === undefined ? work(undefined) : traced(parent, name, attributes, work, describe);
}

async function traced<T>(
  parent: SpanParent,
  name: string,
  attributes: Attributes | (() => Attributes),
  work: (step: SpanParent) => Promise<T>,
  describe?: (result: T) => Attributes,
): Promise<T> {
  const span = startChild(
    parent,
    name,
    typeof attributes === 'function' ? attributes() : attributes,
  );
  try {
    const result = await work({ tracer: parent.tracer, span });
    if (describe !== undefined) span.setAttributes(describe(result));
    return result;
  } catch (error) {
    recordFailure(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** A span for a step that already happened (a synchronous lookup): attributes only. */
export function recordStep(
  parent: SpanParent | undefined,
  name: string,
  attributes: Attributes,
): void {
  if (parent !== undefined) startChild(parent, name, attributes).end();
}

/** The parent for steps under `span` when it is sampled, else undefined (its steps make none). */
export function sampledParent(tracer: Tracer, span: Span): SpanParent | undefined {
  return isSampled(span) ? { tracer, span } : undefined;
}
