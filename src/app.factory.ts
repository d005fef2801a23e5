import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AppModule } from './app.module';
import { replyWithShapedError } from './common/http/error-response';
import { registerHttpSecurity } from './common/http/http-security';
import { registerMethodNotAllowed } from './common/http/method-not-allowed';
import { registerRequestDeadline } from './common/http/request-deadline';
import { PinoNestLogger } from './common/logging/pino-nest-logger';
import { loadConfig, type AppConfig } from './config';
import { registerApiDocs } from './modules/docs/api-docs';
import { ServerDrain } from './modules/health/server-drain';
import { registerRequestObservability } from './modules/metrics/request-observability';
import { registerRequestTracing } from './modules/tracing/http-tracing';

/** A client-sent request id is echoed only when it is short and plain, so logs stay clean. */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function requestIdFrom(request: IncomingMessage): string {
  const sent = request.headers['x-request-id'];
  return typeof sent === 'string' && ACCEPTABLE_REQUEST_ID.test(sent) ? sent : randomUUID();
}

/**
 * Node enforces its headers timeout (HTTP_REQUEST_TIMEOUT_MS) only when it sweeps its
 * connections, every 30 s by default, so a slowloris socket would live up to 30 s past the
 * limit: sweep at a quarter of it.
 */
function connectionsCheckingInterval(requestTimeoutMs: number): number {
  return Math.min(30_000, Math.max(100, Math.floor(requestTimeoutMs / 4)));
}

/** The longest model name (100) with the longest encoded variant suffix (`%40fp32`), and room. */
const MAX_MODEL_PARAM_LENGTH = 128;

/**
 * Builds the fully configured application (modules, global pipeline, Fastify hooks) and
 * initialises it without listening: `main.ts`, the Lambda handler and tests share it.
 */
export async function createApp(config: AppConfig = loadConfig()): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    genReqId: requestIdFrom,
    // Route parameters are model names: up to 100 characters plus `@<dtype>`, or `%40<dtype>`
    // when a client encodes the `@`. Fastify's default of 100 answered those names with 414.
    routerOptions: { maxParamLength: MAX_MODEL_PARAM_LENGTH },
    frameworkErrors: replyWithShapedError,
    // Slow and abusive clients: see HTTP_*_TIMEOUT_MS in the configuration table. Node's
    // requestTimeout is off because it is server-wide: registerRequestDeadline bounds each
    // body instead, so the stream route can be bounded by idleness alone.
    requestTimeout: 0,
    connectionTimeout: config.HTTP_CONNECTION_TIMEOUT_MS,
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    http: {
      headersTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: connectionsCheckingInterval(config.HTTP_REQUEST_TIMEOUT_MS),
    },
    // By the time the server closes (SHUTDOWN_DELAY_MS after SIGTERM) balancers route elsewhere;
    // a request still arriving on an open connection is served (with Connection: close) rather
    // than refused, and idle keep-alive sockets are closed, not reset.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // One line per request comes from our onResponse hook (request-observability).
    logController: new LogController({ disableRequestLogging: true }),
    logger: config.LOG_LEVEL === 'silent' ? false : { level: config.LOG_LEVEL },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    // One stream, one format: Nest's lines go through Fastify's pino logger (LOG_LEVEL applies).
    logger: new PinoNestLogger(adapter.getInstance().log),
    abortOnError: false,
    // registerHttpSecurity installs the only body parsers (JSON, NDJSON streams); Nest's would
    // add urlencoded.
    bodyParser: false,
  });
  registerHttpSecurity(app, config);
  registerMethodNotAllowed(app.getHttpAdapter().getInstance());
  registerRequestDeadline(app.getHttpAdapter().getInstance(), config.HTTP_REQUEST_TIMEOUT_MS);

  const fastify = app.getHttpAdapter().getInstance();
  registerRequestTracing(app);
  registerRequestObservability(app);
  registerApiDocs(app, config);
  const drain = app.get(ServerDrain);
  fastify.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', String(request.id));
    // Draining: each keep-alive connection ends after its current answer, so clients reconnect
    // (through the balancer, to another replica) instead of finding the socket closed later.
    if (drain.draining) void reply.header('connection', 'close');
  });
  await app.init();
  await fastify.ready();
  return app;
}
