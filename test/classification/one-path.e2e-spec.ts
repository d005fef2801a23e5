import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ClassificationPipeline } from '../../src/modules/classification/classification-pipeline.service';
import { InferenceService } from '../../src/modules/inference';
import { RateLimiter } from '../../src/modules/rate-limit';
import { postJson, startTestApp, type TestApp } from '../helpers/test-app';

const TEXT = 'Meeting moved to 3pm, see you in the small room';

/** Every route that classifies, one request each, the pipeline method it must go through. */
const ROUTES: readonly { url: string; body: object; via: 'classify' | 'rerank' }[] = [
  { url: '/classify', body: { text: TEXT }, via: 'classify' },
  { url: '/classify', body: { text: TEXT, text_pair: 'a second text' }, via: 'classify' },
  { url: '/classify/batch', body: { texts: [TEXT, 'another'] }, via: 'classify' },
  { url: '/predict', body: { inputs: TEXT }, via: 'classify' },
  { url: '/models/spam-en/predict', body: { inputs: [TEXT] }, via: 'classify' },
  { url: '/', body: { inputs: TEXT }, via: 'classify' },
  { url: '/models/spam-en', body: { inputs: TEXT }, via: 'classify' },
  {
    url: '/v2/models/spam-en/infer',
    body: { inputs: [{ name: 'text', shape: [1], datatype: 'BYTES', data: [TEXT] }] },
    via: 'classify',
  },
  { url: '/rerank', body: { query: 'lunch?', texts: [TEXT, 'FREE cruise'] }, via: 'rerank' },
  { url: '/v1/rerank', body: { query: 'lunch?', documents: [TEXT] }, via: 'rerank' },
];

describe('one path for every classification request', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ RATE_LIMIT: '10000', RATE_LIMIT_WINDOW_SECONDS: '60' });
  });

  afterAll(async () => {
    await sut.close();
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it.each(ROUTES)(
    'POST $url goes through the pipeline once and the limiter once',
    async (route) => {
      const pipeline = sut.app.get(ClassificationPipeline);
      const classify = jest.spyOn(pipeline, 'classify');
      const rerank = jest.spyOn(pipeline, 'rerank');
      const admit = jest.spyOn(sut.app.get(RateLimiter), 'admit');
      // Twice: the second is answered from the cache, which must not be a way around either.
      for (let i = 0; i < 2; i++) {
        const response = await postJson(sut, route.url, route.body);
        expect(response.statusCode).toBe(200);
      }
      expect(route.via === 'classify' ? classify : rerank).toHaveBeenCalledTimes(2);
      expect(route.via === 'classify' ? rerank : classify).not.toHaveBeenCalled();
      expect(admit).toHaveBeenCalledTimes(2);
    },
  );

  it("answers a failed run in the route's error shape, and logs the fault", async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const predict = jest
      .spyOn(sut.app.get(InferenceService), 'predict')
      .mockRejectedValueOnce(new Error('the run broke'));
    const response = await sut.inject({
      method: 'POST',
      url: '/classify',
      payload: { text: `${TEXT} (a fault)` },
      headers: { 'x-request-id': 'one-path-fault' },
    });
    expect(predict).toHaveBeenCalledTimes(1);
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: expect.any(String),
      requestId: 'one-path-fault',
    });
    expect(response.json<{ message: string }>().message).not.toContain('the run broke');
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('the run broke'));
  });

  it('answers a hit exactly as the miss was answered, flagged cached, with every header', async () => {
    const text = `${TEXT} (exact)`;
    const miss = await postJson(sut, '/classify', { text });
    const hit = await sut.inject({
      method: 'POST',
      url: '/classify',
      payload: { text },
      headers: { 'x-request-id': 'one-path-1' },
    });
    expect(hit.statusCode).toBe(200);
    expect(hit.json()).toEqual({ ...miss.json(), cached: true });
    expect(hit.headers['content-type']).toBe(miss.headers['content-type']);
    expect(hit.headers['x-request-id']).toBe('one-path-1');
    for (const header of [
      'content-security-policy',
      'x-frame-options',
      'strict-transport-security',
      'ratelimit-limit',
    ]) {
      expect(hit.headers[header]).toBe(miss.headers[header]);
    }
  });

  it('honours top_k, model and model_version on a hit', async () => {
    const text = `${TEXT} (options)`;
    const miss = await postJson(sut, '/classify', { text });
    const version = miss.json<{ model_version: string }>().model_version;
    const hit = await postJson(sut, '/classify', {
      text,
      model: 'spam-en',
      model_version: version,
      top_k: 1,
    });
    expect(hit.statusCode).toBe(200);
    expect(Object.keys(hit.json<{ scores: object }>().scores)).toHaveLength(1);
    expect(hit.json()).toMatchObject({ cached: true, model: 'spam-en' });
  });

  it('validates a body before any text reaches the cache: a cached text with a bad field is refused', async () => {
    const text = `${TEXT} (validated)`;
    await postJson(sut, '/classify', { text });
    const refusals = [
      { body: { text, colour: 'blue' }, status: 400, message: 'property colour should not exist' },
      { body: { text, top_k: '1' }, status: 400, message: 'top_k must be an integer number' },
      { body: { text, model: 'no-such-model' }, status: 404 },
      { body: { text, model_version: 'nope' }, status: 404 },
    ];
    for (const { body, status, message } of refusals) {
      const response = await postJson(sut, '/classify', body);
      expect(response.statusCode).toBe(status);
      if (message !== undefined) expect(response.json()).toMatchObject({ message });
    }
  });
});

describe('cache hits and the rate limit', () => {
  it('counts each request once, hits included, and refuses past the limit', async () => {
    const sut = await startTestApp({ RATE_LIMIT: '4', RATE_LIMIT_WINDOW_SECONDS: '60' });
    try {
      // A miss, two hits, another miss.
      const texts = [TEXT, TEXT, TEXT, `${TEXT} (other)`];
      const remaining: string[] = [];
      const cached: boolean[] = [];
      for (const text of texts) {
        const response = await postJson(sut, '/classify', { text });
        expect(response.statusCode).toBe(200);
        remaining.push(String(response.headers['ratelimit-remaining']));
        cached.push(response.json<{ cached: boolean }>().cached);
      }
      expect(cached).toEqual([false, true, true, false]);
      expect(remaining).toEqual(['3', '2', '1', '0']);

      const refused = await postJson(sut, '/classify', { text: TEXT });
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.json()).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    } finally {
      await sut.close();
    }
  });
});
