import {
  context,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';

/** The instrumentation scope every Sift span carries. */
export const TRACER_NAME = 'sift';

/**
 * The tracer while tracing is on (TracingService sets it at start and clears it at shutdown).
 * Code outside Nest's container (the batcher, the runners) reads it here, so switching tracing
 * off leaves one `undefined` check on each path and no SDK object at all.
 */
let current: Tracer | undefined;

export function useTracer(tracer: Tracer | undefined): void {
  current = tracer;
}

export function activeTracer(): Tracer | undefined {
  return current;
}

/** Marks a span failed with the error's message (no stack: spans may leave the network). */
export function recordFailure(span: Span, error: unknown): void {
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

/**
 * Runs `work` in a child span of the active one, ended when `work` settles; with tracing off
 * it just runs `work`. Attributes may be a function, so that computing them costs nothing when
 * tracing is off; `describe` adds those known only from the result.
 */
export function inSpan<T>(
  name: string,
  attributes: Attributes | (() => Attributes),
  work: () => Promise<T>,
  describe?: (result: T) => Attributes,
): Promise<T> {
  // Not async itself: with tracing off the caller gets `work`'s own promise, no extra turn.
  const tracer = tracerForChild();
  return tracer === undefined ? work() : traced(tracer, name, attributes, work, describe);
}

/**
 * The tracer when the active span is sampled, else undefined. Every Sift span but the server
 * span and the batch is a step of one of them; under a request the sampler dropped there is no
 * active span (http-tracing enters no context), so its steps cost one lookup and make nothing,
 * and never become root spans of their own.
 */
export function tracerForChild(): Tracer | undefined {
  return current !== undefined && sampledActiveTraceId() !== undefined ? current : undefined;
}

async function traced<T>(
  tracer: Tracer,
  name: string,
  attributes: Attributes | (() => Attributes),
  work: () => Promise<T>,
  describe?: (result: T) => Attributes,
): Promise<T> {
  const span = tracer.startSpan(name, {
    attributes: typeof attributes === 'function' ? attributes() : attributes,
  });
  try {
    const result = await context.with(trace.setSpan(context.active(), span), work);
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
export function recordStep(name: string, attributes: Attributes): void {
  tracerForChild()?.startSpan(name, { attributes }).end();
}

/**
 * The trace id of the active span when it is sampled (exported), else undefined. The flag, not
 * isRecording(): work a request left running may start a step after the request's span ended,
 * and that step is still the child of an exported span.
 */
export function sampledActiveTraceId(): string | undefined {
  const active = trace.getSpan(context.active())?.spanContext();
  return active !== undefined && (active.traceFlags & TraceFlags.SAMPLED) !== 0
    ? active.traceId
    : undefined;
}
