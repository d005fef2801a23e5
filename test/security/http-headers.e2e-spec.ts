import { startTestApp, type TestApp } from '../helpers/test-app';

const ALLOWED = 'https://app.example.com';

const listOf = (header: unknown): string[] => String(header).split(/,\s*/);

function preflight(sut: TestApp, origin: string) {
  return sut.inject({
    method: 'OPTIONS',
    url: '/classify',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    },
  });
}

describe('CORS with an allowlist', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ CORS_ORIGINS: `${ALLOWED},http://localhost:5173` });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('allows the preflight of an allowlisted origin, without credentials', async () => {
    const response = await preflight(sut, ALLOWED);
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(listOf(response.headers['access-control-allow-methods'])).toEqual(['GET', 'POST']);
    expect(listOf(response.headers['access-control-allow-headers'])).toEqual([
      'Content-Type',
      'X-Request-Id',
    ]);
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    expect(response.headers.vary).toMatch(/Origin/i);
  });

  it('refuses the preflight of any other origin: no Access-Control-Allow-Origin', async () => {
    for (const origin of ['https://evil.example', 'https://app.example.com.evil.example', 'null']) {
      const response = await preflight(sut, origin);
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('lets an allowlisted page read the answer and the rate-limit headers', async () => {
    const response = await sut.inject({
      method: 'POST',
      url: '/classify',
      payload: { text: 'hello' },
      headers: { origin: ALLOWED },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(listOf(response.headers['access-control-expose-headers'])).toEqual(
      expect.arrayContaining(['X-Request-Id', 'Retry-After', 'RateLimit-Remaining']),
    );
  });

  it('adds no CORS headers to a simple request from another origin', async () => {
    const response = await sut.inject({
      method: 'GET',
      url: '/models',
      headers: { origin: 'https://evil.example' },
    });
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('CORS_ORIGINS=*', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ CORS_ORIGINS: '*' });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('allows any origin, never with credentials', async () => {
    const response = await preflight(sut, 'https://anyone.example');
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
  });
});

describe('without CORS_ORIGINS, and the security headers', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({});
  });

  afterAll(async () => {
    await sut.close();
  });

  it('sends no CORS headers at all', async () => {
    const response = await preflight(sut, ALLOWED);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    // Without CORS there is no OPTIONS route: the path exists, the method does not.
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('POST');
  });

  it.each([
    ['a classify answer', 'POST', '/classify', { text: 'hello' }, 200],
    ['a validation error', 'POST', '/classify', { text: 42 }, 400],
    ['a body parser error', 'POST', '/classify', '{"text":', 400],
    ['an unknown route', 'GET', '/nope', undefined, 404],
    ['a probe', 'GET', '/health', undefined, 200],
  ] as const)(
    'sets the API security headers on %s',
    async (_name, method, url, payload, status) => {
      const response = await sut.inject({
        method,
        url,
        ...(payload === undefined
          ? {}
          : { payload, headers: { 'content-type': 'application/json' } }),
      });
      expect(response.statusCode).toBe(status);
      expect(response.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'content-security-policy': "default-src 'none';frame-ancestors 'none'",
        'referrer-policy': 'no-referrer',
        'strict-transport-security': 'max-age=15552000',
        'cross-origin-resource-policy': 'same-origin',
      });
      expect(response.headers['x-powered-by']).toBeUndefined();
    },
  );
});
