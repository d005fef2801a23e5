import { startTestApp, type TestApp } from '../helpers/test-app';
import { expectUniformError } from './security-support';

const ADMIN_API_KEY = 'a-long-enough-admin-key-for-tests';
const INVALIDATE = '/cache?model=spam-en';

function invalidate(sut: TestApp, headers: Record<string, string> = {}) {
  return sut.inject({ method: 'DELETE', url: INVALIDATE, headers, remoteAddress: '10.9.0.1' });
}

describe('admin routes without ADMIN_API_KEY', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({});
  });

  afterAll(async () => {
    await sut.close();
  });

  it('are disabled: 404 as if they did not exist, whatever key is sent', async () => {
    const attempts: Array<Record<string, string>> = [
      {},
      { 'x-api-key': ADMIN_API_KEY },
      { authorization: `Bearer ${ADMIN_API_KEY}` },
    ];
    for (const headers of attempts) {
      const response = await invalidate(sut, headers);
      expect(response.statusCode).toBe(404);
      expectUniformError(response);
    }
  });
});

describe('admin routes with ADMIN_API_KEY', () => {
  let sut: TestApp;

  beforeAll(async () => {
    // A limit of one shows admin routes are outside the classify budget.
    sut = await startTestApp({
      ADMIN_API_KEY,
      RATE_LIMIT: '1',
      CORS_ORIGINS: 'https://app.example.com',
    });
  });

  afterAll(async () => {
    await sut.close();
  });

  it.each<[string, Record<string, string>, string?]>([
    ['no key', {}],
    ['an empty x-api-key', { 'x-api-key': '' }],
    ['a wrong key', { 'x-api-key': 'a-long-enough-admin-key-for-test!' }],
    ['a prefix of the key', { 'x-api-key': ADMIN_API_KEY.slice(0, -1) }],
    ['the key plus a character', { 'x-api-key': `${ADMIN_API_KEY}x` }],
    ['the key in another case', { 'x-api-key': ADMIN_API_KEY.toUpperCase() }],
    ['a wrong bearer token', { authorization: 'Bearer not-the-admin-key-at-all' }],
    ['the key under Basic', { authorization: `Basic ${ADMIN_API_KEY}` }],
    ['the key without a scheme', { authorization: ADMIN_API_KEY }],
    ['the key as a query parameter', {}, `${INVALIDATE}&api_key=${ADMIN_API_KEY}`],
  ])('refuses %s with a 401', async (_name, headers, url = INVALIDATE) => {
    const response = await sut.inject({
      method: 'DELETE',
      url,
      headers,
      remoteAddress: '10.9.0.2',
    });
    expect(response.statusCode).toBe(401);
    expectUniformError(response);
    expect(response.json().message).toMatch(/^A valid admin API key is required/);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="sift-admin"');
  });

  it.each([
    ['x-api-key', { 'x-api-key': ADMIN_API_KEY }],
    ['Authorization: Bearer', { authorization: `Bearer ${ADMIN_API_KEY}` }],
  ])('admits the key in %s', async (_name, headers) => {
    const response = await invalidate(sut, headers);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      deleted: expect.objectContaining({ memory: expect.any(Number) }),
    });
  });

  it('validates the query after admitting the key', async () => {
    const response = await sut.inject({
      method: 'DELETE',
      url: '/cache?model=../../etc',
      headers: { 'x-api-key': ADMIN_API_KEY },
    });
    expect(response.statusCode).toBe(400);
    expectUniformError(response);
  });

  it('is not under the classify rate limit', async () => {
    for (let i = 0; i < 5; i++) {
      const response = await invalidate(sut, { 'x-api-key': ADMIN_API_KEY });
      expect(response.statusCode).toBe(200);
      expect(response.headers['ratelimit-limit']).toBeUndefined();
    }
  });

  it('cannot be called from a browser page: the key headers are not allowed cross-origin', async () => {
    const response = await sut.inject({
      method: 'OPTIONS',
      url: INVALIDATE,
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'DELETE',
        'access-control-request-headers': 'x-api-key',
      },
    });
    expect(String(response.headers['access-control-allow-methods'])).not.toMatch(/DELETE/);
    expect(String(response.headers['access-control-allow-headers']).toLowerCase()).not.toMatch(
      /x-api-key|authorization/,
    );
  });
});
