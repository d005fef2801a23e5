import type { Response as InjectResponse } from 'light-my-request';
import { startTestApp, type TestApp } from '../helpers/test-app';

const TEXT = 'Your parcel is waiting: confirm the delivery address today.';

/** One request per protocol, all for the same text. */
const ROUTES: readonly {
  readonly url: string;
  readonly body: unknown;
  readonly template: string;
}[] = [
  { url: '/classify', body: { text: TEXT }, template: '/classify' },
  {
    url: '/v2/models/spam-en/infer',
    body: { inputs: [{ name: 'text', shape: [1], datatype: 'BYTES', data: [TEXT] }] },
    template: '/v2/models/:name/infer',
  },
  { url: '/predict', body: { inputs: TEXT }, template: '/predict' },
  { url: '/models/spam-en', body: { inputs: TEXT }, template: '/models/:name' },
];

function post(
  sut: TestApp,
  url: string,
  body: unknown,
  from = '10.1.0.1',
): Promise<InjectResponse> {
  return sut.inject({
    method: 'POST',
    url,
    payload: body as Record<string, unknown>,
    remoteAddress: from,
  });
}

function metricValue(exposition: string, line: string): number {
  const found = exposition.split('\n').find((candidate) => candidate.startsWith(line));
  return found === undefined ? 0 : Number(found.slice(line.length).trim());
}

describe('every protocol shares one path (cache, limits, metrics, content filter)', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({
      RATE_LIMIT: String(ROUTES.length),
      RATE_LIMIT_WINDOW_SECONDS: '60',
      CONTENT_FILTER: 'true',
    });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('counts every protocol against one rate-limit budget, refused in each shape', async () => {
    for (const route of ROUTES)
      expect((await post(sut, route.url, route.body)).statusCode).toBe(200);
    const v2 = await post(sut, ROUTES[1].url, ROUTES[1].body);
    expect(v2.statusCode).toBe(429);
    expect(v2.headers['retry-after']).toBeDefined();
    expect(v2.json()).toEqual({ error: expect.any(String) });
    const tei = await post(sut, '/predict', { inputs: TEXT });
    expect(tei.statusCode).toBe(429);
    expect(tei.json()).toEqual({ error: expect.any(String), error_type: 'overloaded' });
    const hf = await post(sut, '/', { inputs: TEXT });
    expect(hf.statusCode).toBe(429);
    expect(hf.json()).toEqual({ error: expect.any(String) });
  });

  it('answers later protocols from the cache the first one filled, and labels metrics by route template', async () => {
    const metrics = async () => (await sut.inject({ method: 'GET', url: '/metrics' })).body;
    const before = await metrics();
    const memoryHits = 'nlp_cache_requests_total{tier="memory",result="hit"}';
    // A fresh client, so the budget spent above does not refuse these.
    for (const route of ROUTES) {
      expect((await post(sut, route.url, route.body, '10.1.0.2')).statusCode).toBe(200);
    }
    const after = await metrics();
    // The first test already computed TEXT: all four are memory hits now.
    expect(metricValue(after, memoryHits) - metricValue(before, memoryHits)).toBe(ROUTES.length);
    for (const route of ROUTES) {
      const series = `nlp_requests_total{endpoint="${route.template}",status="200"}`;
      expect(metricValue(after, series)).toBeGreaterThanOrEqual(2);
    }
  });

  it('applies the content filter to every protocol, in its error shape', async () => {
    const script = 'hello <script>alert(1)</script>';
    const v2 = await post(
      sut,
      '/v2/models/spam-en/infer',
      { inputs: [{ name: 'text', shape: [1], datatype: 'BYTES', data: [script] }] },
      '10.1.0.3',
    );
    expect(v2.statusCode).toBe(422);
    expect(v2.json()).toEqual({ error: expect.stringContaining('malicious content') });
    const tei = await post(sut, '/predict', { inputs: script }, '10.1.0.3');
    expect(tei.statusCode).toBe(422);
    expect(tei.json()).toEqual({
      error: expect.stringContaining('malicious content'),
      error_type: 'validation',
    });
    const hf = await post(sut, '/', { inputs: script }, '10.1.0.3');
    expect(hf.statusCode).toBe(422);
  });
});
