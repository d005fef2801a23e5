import awsLambdaFastify, { type LambdaResponse, type PromiseHandler } from '@fastify/aws-lambda';
import type { FastifyInstance } from 'fastify';

/** The part of the Nest application the Lambda adapter needs. */
export interface LambdaApp {
  getHttpAdapter(): { getInstance(): FastifyInstance };
  close(): Promise<void>;
}

/** The Lambda context fields the adapter touches (`aws-lambda` types are not a dependency). */
export interface LambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
}

/** An API Gateway (REST v1 or HTTP API v2) or ALB proxy event. */
export type LambdaEvent = Readonly<Record<string, unknown>>;

export interface LambdaHandler {
  (event: LambdaEvent, context: LambdaContext): Promise<LambdaResponse>;
  /** Closes the app if one was built; the next invocation builds a new one. */
  close(): Promise<void>;
}

interface Started {
  readonly app: LambdaApp;
  readonly proxy: PromiseHandler<LambdaEvent, LambdaResponse>;
}

/**
 * Wraps an app factory in a Lambda handler. The app is built on the first invocation and
 * reused by every later one in the same container; concurrent first calls share one build,
 * and a failed build is retried on the next invocation instead of failing the container for good.
 * A factory that fails must leave nothing running (close what it built): the retry builds anew.
 */
export function createLambdaHandler(factory: () => Promise<LambdaApp>): LambdaHandler {
  let started: Promise<Started> | undefined;

  const start = (): Promise<Started> => {
    started ??= factory().then(
      (app) => ({
        app,
        // The app is already `ready()`, and Fastify refuses new request decorators after that.
        proxy: awsLambdaFastify<LambdaEvent>(app.getHttpAdapter().getInstance(), {
          decorateRequest: false,
          callbackWaitsForEmptyEventLoop: false,
        }),
      }),
      (error: unknown) => {
        started = undefined;
        throw error;
      },
    );
    return started;
  };

  const handler = async (event: LambdaEvent, context: LambdaContext): Promise<LambdaResponse> =>
    (await start()).proxy(event, context);

  const close = async (): Promise<void> => {
    const current = started;
    started = undefined;
    // A build that failed left nothing to close; its error already went to the invocation.
    const built = await current?.catch(() => undefined);
    await built?.app.close();
  };

  return Object.assign(handler, { close });
}
