import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestAnnotation } from '../../common/http/request-annotation';
import { requestTraceFields, sampledTraceId } from '../../common/observability/request-trace';
import { MetricsService } from './metrics.service';
import type { RequestObservation } from './request-metrics';

/** The one label every request that matched no route shares, so path scans add no series. */
export const UNMATCHED_ENDPOINT = 'unmatched';

/**
 * Probes and scrapes arrive every few seconds; their log lines stay at debug level. KServe V2's
 * health routes are the same probes under the names its clients (and KServe itself) poll.
 */
const PROBE_ENDPOINTS: ReadonlySet<string> = new Set([
  '/health',
  '/ready',
  '/metrics',
  '/v2/health/live',
  '/v2/health/ready',
  '/v2/models/:name/ready',
  '/v2/models/:name/versions/:version/ready',
]);

export interface RequestRecorder {
  requestFinished(observation: RequestObservation): void;
}

/** The route template (`/classify`), never the raw URL: labels must stay few. */
function endpointOf(request: FastifyRequest): string {
  const template = request.routeOptions.url;
  return template === undefined || request.is404 ? UNMATCHED_ENDPOINT : template;
}

function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/**
 * Counts and times every response and writes one structured log line per request through
 * Fastify's pino logger (which carries the request id), with what the handler annotated.
 */
export function observeRequests(fastify: FastifyInstance, recorder: RequestRecorder): void {
  fastify.addHook(
    'onResponse',
    (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      const endpoint = endpointOf(request);
      const probe = PROBE_ENDPOINTS.has(endpoint);
      const note = requestAnnotation(request);
      const status = reply.statusCode;
      recorder.requestFinished({
        endpoint,
        status,
        seconds: reply.elapsedTime / 1000,
        probe,
        texts: note.texts,
        cached: note.cached,
        rejection: note.rejection,
        traceId: sampledTraceId(request),
      });
      const line = {
        route: endpoint,
        method: request.method,
        status,
        duration_ms: roundMs(reply.elapsedTime),
        model: note.model,
        texts: note.texts,
        cached: note.cached,
        lines: note.lines,
        errors: note.errors,
        rejection: note.rejection,
        ...requestTraceFields(request),
      };
      if (probe) request.log.debug(line, 'request completed');
      else request.log.info(line, 'request completed');
      done();
    },
  );
}

/** Wires request metrics and logs into the application's Fastify instance (see app.factory). */
export function registerRequestObservability(app: NestFastifyApplication): void {
  observeRequests(app.getHttpAdapter().getInstance(), app.get(MetricsService).requests);
}
