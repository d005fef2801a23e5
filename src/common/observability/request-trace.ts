import type { FastifyRequest } from 'fastify';

/** The ids a log line carries to join it to its trace (W3C hex form). */
export interface TraceFields {
  readonly trace_id: string;
  readonly span_id: string;
}

/**
 * The server span of each traced request, by request. It lives in `common` so the request log
 * (metrics) reads it without depending on the tracing module; nothing is stored when tracing
 * is off, and the entry goes with the request.
 */
const traced = new WeakMap<FastifyRequest, RequestTrace>();

/** A request's server span: its ids, and whether the sampler kept it (exported, so linkable). */
export interface RequestTrace extends TraceFields {
  readonly sampled: boolean;
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
