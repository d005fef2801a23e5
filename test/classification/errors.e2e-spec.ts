import { startTestApp, type TestApp } from '../helpers/test-app';

interface Case {
  readonly name: string;
  readonly url?: string;
  readonly payload: string | Record<string, unknown>;
  readonly contentType?: string;
  readonly status: number;
  readonly message: RegExp;
}

const CASES: readonly Case[] = [
  {
    name: 'unknown model',
    payload: { text: 'hi', model: 'nope' },
    status: 404,
    message: /Unknown model "nope".*spam-en/,
  },
  { name: 'empty text', payload: { text: '' }, status: 400, message: /^text must not be empty$/ },
  {
    name: 'blank text',
    payload: { text: '   \n ' },
    status: 400,
    message: /^text must not be empty$/,
  },
  {
    name: 'text over MAX_TEXT_CHARS',
    payload: { text: 'a'.repeat(101) },
    status: 400,
    message: /at most 100 characters/,
  },
  { name: 'missing text', payload: {}, status: 400, message: /^text is required$/ },
  { name: 'null text', payload: { text: null }, status: 400, message: /^text is required$/ },
  {
    name: 'text not a string',
    payload: { text: 42 },
    status: 400,
    message: /^text must be a string$/,
  },
  {
    name: 'unknown field',
    payload: { text: 'hi', extra: 1 },
    status: 400,
    message: /property extra should not exist/,
  },
  {
    name: 'malformed JSON',
    payload: '{"text": "hi"',
    contentType: 'application/json',
    status: 400,
    message: /JSON/,
  },
  {
    name: 'wrong content type',
    payload: 'text=hi',
    contentType: 'text/plain',
    status: 415,
    message: /application\/json/,
  },
  {
    name: 'empty batch',
    url: '/classify/batch',
    payload: { texts: [] },
    status: 400,
    message: /^texts must contain at least one text$/,
  },
  {
    name: 'batch over MAX_BATCH_ITEMS',
    url: '/classify/batch',
    payload: { texts: ['a', 'b', 'c', 'd', 'e'] },
    status: 400,
    message: /at most 4 items/,
  },
  {
    name: 'non-string batch item',
    url: '/classify/batch',
    payload: { texts: ['ok', { a: 1 }] },
    status: 400,
    message: /^each value in texts must be a string$/,
  },
  {
    name: 'texts not an array',
    url: '/classify/batch',
    payload: { texts: 'hello' },
    status: 400,
    message: /^texts must be an array$/,
  },
  {
    name: 'body over BODY_LIMIT_BYTES',
    payload: { text: 'x'.repeat(5000) },
    status: 413,
    message: /larger than/,
  },
  { name: 'top_k of zero', payload: { text: 'hi', top_k: 0 }, status: 400, message: /top_k/ },
  {
    name: 'missing texts',
    url: '/classify/batch',
    payload: {},
    status: 400,
    message: /^texts is required$/,
  },
  {
    name: 'two wrong fields, one message each',
    payload: { text: 'hi', top_k: 0, model: '!' },
    status: 400,
    message:
      /^model must be a model name as listed by GET \/models; top_k must not be less than 1$/,
  },
];

describe('client mistakes get a clear 4xx in one JSON shape', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({
      MAX_TEXT_CHARS: '100',
      MAX_BATCH_ITEMS: '4',
      BODY_LIMIT_BYTES: '2048',
    });
  });

  afterAll(async () => {
    await sut.close();
  });

  it.each(CASES)('$name → $status', async ({ url, payload, contentType, status, message }) => {
    const response = await sut.inject({
      method: 'POST',
      url: url ?? '/classify',
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      headers: { 'content-type': contentType ?? 'application/json', 'x-request-id': 'req-123' },
    });
    expect(response.statusCode).toBe(status);
    // Exactly these four fields: the README documents no others.
    expect(response.json()).toEqual({
      statusCode: status,
      error: expect.any(String),
      message: expect.stringMatching(message),
      requestId: 'req-123',
    });
    expect(response.headers['x-request-id']).toBe('req-123');
  });

  it('404s unknown routes in the same shape', async () => {
    const response = await sut.inject({ method: 'GET', url: '/no/such/route' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual(
      expect.objectContaining({
        statusCode: 404,
        error: 'Not Found',
        requestId: expect.any(String),
      }),
    );
  });

  it.each([
    ['GET', '/classify', 'POST'],
    ['PUT', '/classify/batch?x=1', 'POST'],
    ['POST', '/models', 'GET, HEAD'],
    ['DELETE', '/health', 'GET, HEAD'],
  ])('answers %s %s with 405 and Allow: %s', async (method, url, allow) => {
    const response = await sut.inject({ method: method, url });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe(allow);
    expect(response.json()).toEqual({
      statusCode: 405,
      error: 'Method Not Allowed',
      message: `${method} is not allowed on ${url.split('?')[0]}; allowed: ${allow}`,
      requestId: expect.any(String),
    });
  });

  it('generates a request id when the client sends none or an unsafe one', async () => {
    const response = await sut.inject({
      method: 'POST',
      url: '/classify',
      payload: { text: '' },
      headers: { 'x-request-id': 'bad id\nwith newline' },
    });
    expect(response.json().requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
