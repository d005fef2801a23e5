import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  defaultTextMapGetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requestSpanParent, setRequestTrace } from '../../common/observability/request-trace';
import { sampledParent } from './tracer';
import { TracingService } from './tracing.service';

/**
 * The HTTP server span of every request, continuing the caller's W3C `traceparent` and
 * `tracestate`. No instrumentation package fits (@fastify/otel targets the SDK 2 API through
 * @opentelemetry/instrumentation and patches Fastify at require time; none supports Nest 12),
 * so hooks do it: onRequest starts the span, onResponse (or onRequestAbort, for a client that
 * left) ends it. No async context is entered: the span is kept with the request
 * (request-trace.ts), and each step that makes a span takes it from there as its parent.
 */
export function traceRequests(
  fastify: FastifyInstance,
  tracer: Tracer,
  propagator: W3CTraceContextPropagator,
): void {
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
    // The sampler has decided: a dropped request gets no parent, so its steps make no span.
    const stepParent = sampledParent(tracer, span);
    setRequestTrace(request, {
      trace_id: ids.traceId,
      span_id: ids.spanId,
      sampled: stepParent !== undefined,
      parent: stepParent,
    });
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    // A span the sampler dropped has no parent here; an aborted request's span has ended.
    const span = requestSpanParent(request)?.span;
    if (span?.isRecording() === true) {
      nameByRoute(span, request);
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    const span = requestSpanParent(request)?.span;
    if (span?.isRecording() === true) {
      nameByRoute(span, request);
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'client aborted' });
      span.end();
    }
    done();
  });
}

/** `METHOD /route/template` once the router has matched; an unmatched request keeps `METHOD`. */
function nameByRoute(span: Span, request: FastifyRequest): void {
  const route = request.routeOptions.url;
  if (route === undefined || request.is404) return;
  span.updateName(`${request.method} ${route}`);
  span.setAttribute('http.route', route);
}

/** Adds the hooks when tracing is on; with it off the app gets none (see app.factory). */
export function registerRequestTracing(app: NestFastifyApplication): void {
  const tracing = app.get(TracingService);
  const { tracer, propagator } = tracing;
  if (tracer === undefined || propagator === undefined) return;
  traceRequests(app.getHttpAdapter().getInstance(), tracer, propagator);
}
