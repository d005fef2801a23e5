import { jest } from '@jest/globals';
import Fastify from 'fastify';
import {
  createLambdaHandler,
  type LambdaApp,
  type LambdaContext,
  type LambdaHandler,
} from '../../src/lambda-handler';
import { apiGatewayV1Event, apiGatewayV2Event } from './support/lambda-events';

/** A ready Fastify instance standing in for the Nest app: the handler only needs its adapter. */
async function fakeApp(): Promise<LambdaApp> {
  const fastify = Fastify();
  fastify.post('/classify', (request) => ({ echoed: request.body }));
  fastify.get('/health', () => ({ status: 'ok' }));
  await fastify.ready();
  return { getHttpAdapter: () => ({ getInstance: () => fastify }), close: () => fastify.close() };
}

const context = (): LambdaContext => ({ callbackWaitsForEmptyEventLoop: true });

describe(createLambdaHandler.name, () => {
  const factory = jest.fn(fakeApp);
  let sut: LambdaHandler;

  beforeEach(() => {
    factory.mockClear();
    sut = createLambdaHandler(factory);
  });

  afterEach(() => sut.close());

  it('answers an API Gateway REST (v1) event through the already-ready app', async () => {
    const response = await sut(apiGatewayV1Event('POST', '/classify', { text: 'hi' }), context());
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ echoed: { text: 'hi' } });
  });

  it('answers an HTTP API (v2) event', async () => {
    const response = await sut(apiGatewayV2Event('GET', '/health'), context());
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'ok' });
  });

  it('builds the app once and reuses it across invocations, concurrent first calls included', async () => {
    await Promise.all([1, 2, 3].map(() => sut(apiGatewayV2Event('GET', '/health'), context())));
    await sut(apiGatewayV1Event('GET', '/health'), context());
    expect(factory).toHaveBeenCalledTimes(1);
  });

  it('retries the build on the next invocation when it failed', async () => {
    factory.mockRejectedValueOnce(new Error('models missing'));
    await expect(sut(apiGatewayV2Event('GET', '/health'), context())).rejects.toThrow(
      'models missing',
    );
    const response = await sut(apiGatewayV2Event('GET', '/health'), context());
    expect(response.statusCode).toBe(200);
    expect(factory).toHaveBeenCalledTimes(2);
  });

  it('does not keep the invocation open for sockets left in the event loop', async () => {
    const lambdaContext = context();
    await sut(apiGatewayV2Event('GET', '/health'), lambdaContext);
    expect(lambdaContext.callbackWaitsForEmptyEventLoop).toBe(false);
  });

  it('closes the app it built, and builds a fresh one on the next invocation', async () => {
    await sut(apiGatewayV2Event('GET', '/health'), context());
    await sut.close();
    const response = await sut(apiGatewayV2Event('GET', '/health'), context());
    expect(response.statusCode).toBe(200);
    expect(factory).toHaveBeenCalledTimes(2);
  });
});
