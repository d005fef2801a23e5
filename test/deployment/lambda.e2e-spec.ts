import type { LambdaResponse } from '@fastify/aws-lambda';
import { jest } from '@jest/globals';
import type { Response as InjectResponse } from 'light-my-request';
import { handler } from '../../src/lambda';
import type { LambdaEvent } from '../../src/lambda-handler';
import { InferenceService } from '../../src/modules/inference';
import { SHIPPED_MODELS_DIR, startTestApp, type TestApp } from '../helpers/test-app';
import { ROUTES } from './support/app-contract';
import { apiGatewayV1Event, apiGatewayV2Event } from './support/lambda-events';
import { asObject, asString } from './support/plain-data';
import { readYaml } from './support/repo-files';

/**
 * The handler reads its configuration from process.env, as it does on Lambda: serverless.yml's
 * literal settings, with the models read from the repository and the test app's quiet defaults.
 */
function lambdaEnvironment(): Record<string, string> {
  const provider = asObject(
    asObject(readYaml('serverless.yml'), 'serverless.yml').provider,
    'provider',
  );
  const literal = Object.entries(asObject(provider.environment, 'environment'))
    .map(([key, value]): [string, string] => [key, asString(value, key)])
    .filter(([, value]) => !value.includes('${'));
  return {
    ...Object.fromEntries(literal),
    MODELS_DIR: SHIPPED_MODELS_DIR,
    MODELS: 'spam-en',
    LOG_LEVEL: 'silent',
    RATE_LIMIT: '0',
  };
}

/** Headers that differ between two answers by nature (clock, socket), not by behaviour. */
const TRANSPORT_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

function comparableHeaders(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers)
      .filter(([name]) => !TRANSPORT_HEADERS.has(name.toLowerCase()))
      .map(([name, value]) => [name.toLowerCase(), String(value)]),
  );
}

function fromLambda(response: LambdaResponse): Answer {
  return {
    status: response.statusCode,
    headers: comparableHeaders(response.headers),
    body: JSON.parse(response.body),
  };
}

function fromHttp(response: InjectResponse): Answer {
  return {
    status: response.statusCode,
    headers: comparableHeaders(response.headers),
    body: response.json(),
  };
}

type Method = 'GET' | 'POST';
type EventFactory = (
  method: Method,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => LambdaEvent;

describe('Lambda handler (src/lambda.ts)', () => {
  const environment = lambdaEnvironment();
  const saved = new Map<string, string | undefined>();
  let http: TestApp;
  let requestNumber = 0;

  beforeAll(async () => {
    for (const [key, value] of Object.entries(environment)) {
      saved.set(key, process.env[key]);
      process.env[key] = value;
    }
    http = await startTestApp(environment);
  });

  afterAll(async () => {
    await handler.close();
    await http?.close();
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  /** Sends the same request through the Lambda handler and the HTTP server, in step. */
  async function both(
    toEvent: EventFactory,
    method: Method,
    path: string,
    body?: unknown,
  ): Promise<{ lambda: Answer; server: Answer }> {
    requestNumber += 1;
    const headers = { 'x-request-id': `lambda-e2e-${requestNumber}` };
    const lambda = fromLambda(
      await handler(toEvent(method, path, body, headers), { callbackWaitsForEmptyEventLoop: true }),
    );
    const server = fromHttp(
      await http.inject({
        method,
        url: path,
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      }),
    );
    return { lambda, server };
  }

  // First, while the container has no app yet: a failed load must not leave one behind.
  it('closes the app whose models failed to load, and builds a working one on the next invocation', async () => {
    const shutdown = jest.spyOn(InferenceService.prototype, 'onApplicationShutdown');
    const event = () => apiGatewayV2Event('GET', ROUTES.liveness);
    process.env.DEFAULT_MODEL = 'spam-fr';
    try {
      await expect(handler(event(), { callbackWaitsForEmptyEventLoop: true })).rejects.toThrow(
        /DEFAULT_MODEL "spam-fr"/,
      );
    } finally {
      process.env.DEFAULT_MODEL = environment.DEFAULT_MODEL;
    }
    // Its tokenizer threads and ONNX sessions were released with it.
    expect(shutdown).toHaveBeenCalledTimes(1);
    shutdown.mockRestore();

    const response = await handler(event(), { callbackWaitsForEmptyEventLoop: true });
    expect(response.statusCode).toBe(200);
  });

  describe.each([
    ['API Gateway REST (v1)', apiGatewayV1Event],
    ['HTTP API (v2)', apiGatewayV2Event],
  ] as const)('%s events', (_name, toEvent) => {
    it(`answer POST ${ROUTES.classify} exactly as the HTTP server does`, async () => {
      const { lambda, server } = await both(toEvent, 'POST', ROUTES.classify, {
        text: 'WINNER! Claim your free prize now, reply YES',
      });
      expect(server.status).toBe(200);
      expect(lambda).toEqual(server);
    });

    it(`answer POST ${ROUTES.classifyBatch} exactly as the HTTP server does`, async () => {
      const { lambda, server } = await both(toEvent, 'POST', ROUTES.classifyBatch, {
        texts: ['See you at lunch tomorrow?', 'URGENT: your account is locked, click here'],
      });
      expect(server.status).toBe(200);
      expect(lambda).toEqual(server);
    });

    it('answer an invalid request with the same error', async () => {
      const { lambda, server } = await both(toEvent, 'POST', ROUTES.classify, { txt: 'typo' });
      expect(server.status).toBe(400);
      expect(lambda).toEqual(server);
    });

    it(`answer GET ${ROUTES.liveness} with the same status and report shape`, async () => {
      const { lambda, server } = await both(toEvent, 'GET', ROUTES.liveness);
      expect(server.status).toBe(200);
      expect(lambda.status).toBe(server.status);
      expect(lambda.headers['content-type']).toBe(server.headers['content-type']);
      // Uptime and memory readings move between two calls; the report's fields do not.
      expect(Object.keys(asObject(lambda.body, 'body')).sort()).toEqual(
        Object.keys(asObject(server.body, 'body')).sort(),
      );
      expect(asObject(lambda.body, 'body').status).toBe(asObject(server.body, 'body').status);
    });
  });
});
