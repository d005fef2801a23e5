import type { Span, Tracer } from '@opentelemetry/api';
import type { FastifyRequest } from 'fastify';

/** The ids a log line carries to join it to its trace (W3C hex form). */
export interface TraceFields {
  readonly trace_id: string;
  readonly span_id: string;
}

/**
 * A sampled span that a step of work becomes the child of (a request's server span, a batch),
 * with the tracer that made it. It is passed along as an argument, never kept in an async
 * context: on Node 20 `AsyncLocalStorage` runs on promise hooks that every promise in the
 * process then pays for, which was a quarter of tracing's cost. Undefined wherever tracing is
 * off or the sampler dropped the request, so a step makes no span and costs one check.
 */
export interface SpanParent {
  readonly tracer: Tracer;
  readonly span: Span;
}

/**
 * The server span of each traced request, by request. It lives in `common` so the request log
 * (metrics) and the modules that add steps read it without depending on the tracing module;
 * nothing is stored when tracing is off, and the entry goes with the request.
 */
const traced = new WeakMap<FastifyRequest, RequestTrace>();

/** A request's server span: its ids, and whether the sampler kept it (exported, so linkable). */
export interface RequestTrace extends TraceFields {
  readonly sampled: boolean;
  /** The span its steps are children of; only when sampled. */
  readonly parent?: SpanParent;
}

export function setRequestTrace(request: FastifyRequest, trace: RequestTrace): void {
  traced.set(request, trace);
}

/** `{trace_id, span_id}` of the request's server span; `{}` when it is not traced. */
export function requestTraceFields(request: FastifyRequest): Partial<TraceFields> {
  const trace = traced.get(request);
  return trace === undefined ? {} : { trace_id: trace.trace_id, span_id: trace.span_id };
}

/**
 * The trace id of a request whose span is exported; undefined when tracing is off or the
 * sampler dropped it, so that an exemplar never points at a trace no backend holds.
 */
export function sampledTraceId(request: FastifyRequest): string | undefined {
  const trace = traced.get(request);
  return trace?.sampled === true ? trace.trace_id : undefined;
}

/** The span a request's steps are children of; undefined when it is not traced or not sampled. */
export function requestSpanParent(request: FastifyRequest): SpanParent | undefined {
  return traced.get(request)?.parent;
}

/** The trace id of a parent, for an exemplar; undefined without one. */
export function traceIdOf(parent: SpanParent | undefined): string | undefined {
  return parent?.span.spanContext().traceId;
}
