import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  context,
  defaultTextMapGetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { setRequestTrace } from '../../common/observability/request-trace';
import { TracingService } from './tracing.service';

interface ServerSpan {
  readonly span: Span;
  readonly context: Context;
}

/**
 * The HTTP server span of every request, continuing the caller's W3C `traceparent` and
 * `tracestate`. No instrumentation package fits (@fastify/otel targets the SDK 2 API through
 * @opentelemetry/instrumentation and patches Fastify at require time; none supports Nest 12),
 * so three hooks do it: onRequest starts the span, preHandler runs the rest of the request
 * (the fast path, Nest's guards, the handler) inside its context, onResponse ends it.
 */
export function traceRequests(
  fastify: FastifyInstance,
  tracer: Tracer,
  propagator: W3CTraceContextPropagator,
): void {
  const spans = new WeakMap<FastifyRequest, ServerSpan>();
  fastify.addHook('onRequest', (request, _reply, done) => {
    const parent = propagator.extract(ROOT_CONTEXT, request.headers, defaultTextMapGetter);
    const span = tracer.startSpan(
      request.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          'url.path': request.url.split('?')[0],
          'sift.request_id': String(request.id),
        },
      },
      parent,
    );
    const ids = span.spanContext();
    const sampled = (ids.traceFlags & TraceFlags.SAMPLED) !== 0;
    setRequestTrace(request, { trace_id: ids.traceId, span_id: ids.spanId, sampled });
    // The sampler has decided: a dropped request gets no context, so no async context is
    // entered and no child span is made for it (children need a sampled parent: tracer.ts).
    if (!sampled) {
      done();
      return;
    }
    const active = trace.setSpan(parent, span);
    spans.set(request, { span, context: active });
    context.with(active, done);
  });
  // The body arrives on socket events, outside the context onRequest set: enter it again.
  fastify.addHook('preHandler', (request, _reply, done) => {
    const entry = spans.get(request);
    if (entry === undefined) done();
    else context.with(entry.context, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const entry = spans.get(request);
    if (entry !== undefined) {
      const route = request.routeOptions.url;
      if (route !== undefined && !request.is404) {
        entry.span.updateName(`${request.method} ${route}`);
        entry.span.setAttributes({
          'http.route': route,
          'http.response.status_code': reply.statusCode,
        });
      } else {
        entry.span.setAttribute('http.response.status_code', reply.statusCode);
      }
      if (reply.statusCode >= 500) entry.span.setStatus({ code: SpanStatusCode.ERROR });
      entry.span.end();
      spans.delete(request);
    }
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    const entry = spans.get(request);
    entry?.span.setStatus({ code: SpanStatusCode.ERROR, message: 'client aborted' });
    entry?.span.end();
    spans.delete(request);
    done();
  });
}

/** Adds the hooks when tracing is on; with it off the app gets none (see app.factory). */
export function registerRequestTracing(app: NestFastifyApplication): void {
  const tracing = app.get(TracingService);
  const { tracer, propagator } = tracing;
  if (tracer === undefined || propagator === undefined) return;
  traceRequests(app.getHttpAdapter().getInstance(), tracer, propagator);
}
