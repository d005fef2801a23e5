import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AppModule } from './app.module';
import { registerHttpSecurity, replyWithShapedError } from './common/http/http-security';
import { loadConfig, type AppConfig } from './config';
import { registerApiDocs } from './modules/docs/api-docs';
import { registerCacheHitFastPath } from './modules/classification/cache-hit-fast-path';
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
    // One line per request comes from our onResponse hook (request-observability).
    logController: new LogController({ disableRequestLogging: true }),
    logger: config.LOG_LEVEL === 'silent' ? false : { level: config.LOG_LEVEL },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new ConsoleLogger({ json: true, logLevels: NEST_LOG_LEVELS[config.LOG_LEVEL] }),
    abortOnError: false,
    // registerHttpSecurity installs the only body parser (JSON); Nest's would add urlencoded.
    bodyParser: false,
  });
  registerHttpSecurity(app, config);

  const fastify = app.getHttpAdapter().getInstance();
  registerRequestObservability(app);
  registerCacheHitFastPath(app);
  registerApiDocs(app, config);
  fastify.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', String(request.id));
  });
  await app.init();
  await fastify.ready();
  return app;
}
