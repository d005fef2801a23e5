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
const traced = new WeakMap<FastifyRequest, TraceFields>();

export function setRequestTrace(request: FastifyRequest, fields: TraceFields): void {
  traced.set(request, fields);
}

/** `{trace_id, span_id}` of the request's server span; `{}` when it is not traced. */
export function requestTraceFields(request: FastifyRequest): Partial<TraceFields> {
  return traced.get(request) ?? {};
}
