import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AppModule } from './app.module';
import { shapeError } from './common/http/error-response';
import { registerHttpSecurity, replyWithShapedError } from './common/http/http-security';
import { noteRejection } from './common/observability/rejection-reason';
import { loadConfig, type AppConfig } from './config';
import { registerRequestObservability } from './modules/metrics/request-observability';

/** A client-sent request id is echoed only when it is short and plain, so logs stay clean. */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const NEST_LOG_LEVELS: Record<AppConfig['LOG_LEVEL'], LogLevel[]> = {
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
  silent: [],
};

function requestIdFrom(request: IncomingMessage): string {
  const sent = request.headers['x-request-id'];
  return typeof sent === 'string' && ACCEPTABLE_REQUEST_ID.test(sent) ? sent : randomUUID();
}

/**
 * Builds the fully configured application (modules, global pipeline, Fastify hooks) and
 * initialises it without listening: `main.ts`, the Lambda handler and tests share it.
 */
export async function createApp(config: AppConfig = loadConfig()): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    genReqId: requestIdFrom,
    frameworkErrors: replyWithShapedError,
    disableRequestLogging: true,
    logger: config.LOG_LEVEL === 'silent' ? false : { level: config.LOG_LEVEL },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new ConsoleLogger({ json: true, logLevels: NEST_LOG_LEVELS[config.LOG_LEVEL] }),
    abortOnError: false,
    // registerHttpSecurity installs the only body parser (JSON); Nest's would add urlencoded.
    bodyParser: false,
  });
  await registerHttpSecurity(app, config);

  const fastify = app.getHttpAdapter().getInstance();
  registerRequestObservability(app);
  fastify.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', String(request.id));
  });
  // Errors raised by Fastify itself (body parsing, size limits) never reach Nest's filters.
  fastify.setErrorHandler((error, request, reply) => {
    const shaped = shapeError(error, String(request.id));
    noteRejection(request, error, shaped.status);
    if (shaped.isServerFault) request.log.error({ err: error }, 'unhandled error');
    void reply.status(shaped.status).headers(shaped.headers).send(shaped.body);
  });

  await app.init();
  await fastify.ready();
  return app;
}
