import type { Response as InjectResponse } from 'light-my-request';
import { startTestApp, type TestApp } from '../helpers/test-app';

const LIMIT = 3;

function classify(
  sut: TestApp,
  from: string,
  headers: Record<string, string> = {},
): Promise<InjectResponse> {
  return sut.inject({
    method: 'POST',
    url: '/classify',
    payload: { text: 'win a free cruise now' },
    remoteAddress: from,
    headers,
  });
}

function classifyBatch(sut: TestApp, from: string, texts: number): Promise<InjectResponse> {
  return sut.inject({
    method: 'POST',
    url: '/classify/batch',
    payload: { texts: Array.from({ length: texts }, (_, i) => `message ${i}`) },
    remoteAddress: from,
  });
}

async function exhaust(
  sut: TestApp,
  from: string,
  headers: Record<string, string> = {},
): Promise<void> {
  for (let i = 0; i < LIMIT; i++) expect((await classify(sut, from, headers)).statusCode).toBe(200);
}

describe('rate limiting (in memory)', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ RATE_LIMIT: String(LIMIT), RATE_LIMIT_WINDOW_SECONDS: '60' });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('announces the budget on every classify answer with the RateLimit headers', async () => {
    const remaining = [];
    for (let i = 0; i < LIMIT; i++) {
      const response = await classify(sut, '10.0.0.1');
      expect(response.statusCode).toBe(200);
      expect(response.headers['ratelimit-limit']).toBe(String(LIMIT));
      expect(response.headers['ratelimit-policy']).toBe(`${LIMIT};w=60`);
      const reset = Number(response.headers['ratelimit-reset']);
      expect(reset).toBeGreaterThan(0);
      expect(reset).toBeLessThanOrEqual(60);
      remaining.push(response.headers['ratelimit-remaining']);
    }
    expect(remaining).toEqual(['2', '1', '0']);
  });

  it('answers 429 in the uniform error shape with Retry-After and the RateLimit headers', async () => {
    await exhaust(sut, '10.0.0.2');
    const response = await classify(sut, '10.0.0.2', { 'x-request-id': 'limited-1' });
    expect(response.statusCode).toBe(429);
    expect(response.json()).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringMatching(
        /^Rate limit exceeded: at most 3 requests per 60 s per client; retry in \d+ s$/,
      ),
      requestId: 'limited-1',
    });
    const retryAfter = Number(response.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(response.headers['ratelimit-limit']).toBe(String(LIMIT));
    expect(response.headers['ratelimit-remaining']).toBe('0');
    expect(response.headers['ratelimit-reset']).toBe(response.headers['retry-after']);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
  });

  it('counts a batch request once, and shares one budget between /classify and /classify/batch', async () => {
    const batch = await classifyBatch(sut, '10.0.0.3', 5);
    expect(batch.statusCode).toBe(200);
    expect(batch.json().results).toHaveLength(5);
    expect(batch.headers['ratelimit-remaining']).toBe('2');
    expect((await classify(sut, '10.0.0.3')).headers['ratelimit-remaining']).toBe('1');
    expect((await classifyBatch(sut, '10.0.0.3', 2)).headers['ratelimit-remaining']).toBe('0');
    expect((await classifyBatch(sut, '10.0.0.3', 1)).statusCode).toBe(429);
  });

  it('counts invalid requests too, since the guard runs before validation', async () => {
    const invalid = await sut.inject({
      method: 'POST',
      url: '/classify',
      payload: { text: 42 },
      remoteAddress: '10.0.0.4',
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.headers['ratelimit-remaining']).toBe('2');
  });

  it('gives every client its own budget', async () => {
    await exhaust(sut, '10.0.0.5');
    expect((await classify(sut, '10.0.0.5')).statusCode).toBe(429);
    expect((await classify(sut, '10.0.0.6')).statusCode).toBe(200);
  });

  it('counts an IPv6 client by its /64', async () => {
    for (let i = 1; i <= LIMIT; i++)
      expect((await classify(sut, `2001:db8:7:7::${i}`)).statusCode).toBe(200);
    expect((await classify(sut, '2001:db8:7:7:ffff::9')).statusCode).toBe(429);
  });

  it('does not believe X-Forwarded-For while TRUST_PROXY is off', async () => {
    await exhaust(sut, '10.0.0.7', { 'x-forwarded-for': '198.51.100.1' });
    const forged = await classify(sut, '10.0.0.7', { 'x-forwarded-for': '198.51.100.2' });
    expect(forged.statusCode).toBe(429);
  });

  describe('for a client that is over its limit', () => {
    beforeAll(async () => {
      await exhaust(sut, '10.0.0.8');
      expect((await classify(sut, '10.0.0.8')).statusCode).toBe(429);
    });

    it.each(['/health', '/ready', '/metrics', '/models'])('never throttles %s', async (url) => {
      for (let i = 0; i < LIMIT + 2; i++) {
        const response = await sut.inject({ method: 'GET', url, remoteAddress: '10.0.0.8' });
        expect(response.statusCode).not.toBe(429);
        expect(response.statusCode).toBeLessThan(500);
        expect(response.headers['ratelimit-limit']).toBeUndefined();
      }
    });

    it('leaves unknown routes alone (404, not 429)', async () => {
      const response = await sut.inject({
        method: 'POST',
        url: '/classify/nope',
        remoteAddress: '10.0.0.8',
      });
      expect(response.statusCode).toBe(404);
    });
  });
});

describe('rate limiting behind a trusted proxy (TRUST_PROXY=true)', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ RATE_LIMIT: String(LIMIT), TRUST_PROXY: 'true' });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('counts the client the proxy names in X-Forwarded-For', async () => {
    await exhaust(sut, '10.1.0.1', { 'x-forwarded-for': '198.51.100.10' });
    expect(
      (await classify(sut, '10.1.0.1', { 'x-forwarded-for': '198.51.100.10' })).statusCode,
    ).toBe(429);
    // The same proxy forwarding another client: that client has its own budget.
    expect(
      (await classify(sut, '10.1.0.1', { 'x-forwarded-for': '198.51.100.11' })).statusCode,
    ).toBe(200);
  });
});

describe('RATE_LIMIT=0', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ RATE_LIMIT: '0' });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('turns the limit off: no 429 and no RateLimit headers', async () => {
    for (let i = 0; i < 20; i++) {
      const response = await classify(sut, '10.2.0.1');
      expect(response.statusCode).toBe(200);
      expect(response.headers['ratelimit-limit']).toBeUndefined();
    }
  });
});
