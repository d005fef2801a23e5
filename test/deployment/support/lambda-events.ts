import type { LambdaEvent } from '../../../src/lambda-handler';

type Method = 'GET' | 'POST' | 'DELETE';

const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

/** An API Gateway REST API proxy event (payload format 1.0), as serverless.yml's `http` events send. */
export function apiGatewayV1Event(
  method: Method,
  path: string,
  body?: unknown,
  headers: Readonly<Record<string, string>> = {},
): LambdaEvent {
  const allHeaders = { ...JSON_HEADERS, ...headers };
  return {
    resource: path,
    path,
    httpMethod: method,
    headers: allHeaders,
    multiValueHeaders: Object.fromEntries(
      Object.entries(allHeaders).map(([key, value]) => [key, [value]]),
    ),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      resourcePath: path,
      httpMethod: method,
      path: `/prod${path}`,
      stage: 'prod',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      identity: { sourceIp: '203.0.113.7', userAgent: 'jest' },
    },
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
  };
}

/** An API Gateway HTTP API proxy event (payload format 2.0). */
export function apiGatewayV2Event(
  method: Method,
  path: string,
  body?: unknown,
  headers: Readonly<Record<string, string>> = {},
): LambdaEvent {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { ...JSON_HEADERS, ...headers },
    requestContext: {
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'jest' },
      requestId: 'JKJaXmPLvHcESHA=',
      routeKey: `${method} ${path}`,
      stage: '$default',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    isBase64Encoded: false,
  };
}
