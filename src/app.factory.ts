import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AppModule } from './app.module';
import { replyWithShapedError } from './common/http/error-response';
import { registerHttpSecurity } from './common/http/http-security';
import { registerMethodNotAllowed } from './common/http/method-not-allowed';
import { PinoNestLogger } from './common/logging/pino-nest-logger';
import { loadConfig, type AppConfig } from './config';
import { registerApiDocs } from './modules/docs/api-docs';
import { registerCacheHitFastPath } from './modules/classification/cache-hit-fast-path';
import { registerRequestObservability } from './modules/metrics/request-observability';

/** A client-sent request id is echoed only when it is short and plain, so logs stay clean. */
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

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
    // One stream, one format: Nest's lines go through Fastify's pino logger (LOG_LEVEL applies).
    logger: new PinoNestLogger(adapter.getInstance().log),
    abortOnError: false,
    // registerHttpSecurity installs the only body parser (JSON); Nest's would add urlencoded.
    bodyParser: false,
  });
  registerHttpSecurity(app, config);
  registerMethodNotAllowed(app.getHttpAdapter().getInstance());

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
