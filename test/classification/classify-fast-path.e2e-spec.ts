import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { TextRulesPipe } from '../../src/common/pipes/text-rules.pipe';
import { InferenceService } from '../../src/modules/inference';
import { postJson, startTestApp, type TestApp } from '../helpers/test-app';

const TEXT = 'Meeting moved to 3pm, see you in the small room';

/** The value of one sample of the exposition, e.g. `nlp_cache_requests_total{tier="memory",result="hit"}`. */
async function sample(sut: TestApp, name: string, labels: Record<string, string>): Promise<number> {
  const body = (await sut.inject({ method: 'GET', url: '/metrics' })).body;
  const wanted = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .sort();
  for (const line of body.split('\n')) {
    const match = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const present = match[2].split(',').sort();
    if (wanted.every((pair) => present.includes(pair))) return Number(match[3]);
  }
  return 0;
}

describe('plain classify requests served before the Nest pipeline', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp();
  });

  afterAll(async () => {
    await sut.close();
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('answers hits and misses without running the Nest pipeline', async () => {
    const text = `${TEXT} (no pipeline)`;
    // The route's own pipe: it runs only when Nest's pipeline does.
    const pipe = jest.spyOn(TextRulesPipe.prototype, 'transform');
    const miss = await postJson(sut, '/classify', { text });
    const hit = await postJson(sut, '/classify', { text });
    expect(miss.statusCode).toBe(200);
    expect(miss.json()).toMatchObject({ cached: false, model: 'spam-en' });
    expect(hit.json()).toEqual({ ...miss.json(), cached: true });
    expect(pipe).not.toHaveBeenCalled();
    // A text that breaks a rule goes the long way, which words the refusal.
    const blank = await postJson(sut, '/classify', { text: '   ' });
    expect(blank.statusCode).toBe(400);
    expect(blank.json()).toMatchObject({ message: 'text must not be empty' });
    expect(pipe).toHaveBeenCalledTimes(1);
  });

  it('classifies exactly as the long way does, also without a cache', async () => {
    const uncached = await startTestApp({ CACHE_ENABLED: 'false' });
    try {
      const text = `${TEXT} (same answer)`;
      const pipe = jest.spyOn(TextRulesPipe.prototype, 'transform');
      const fast = await postJson(uncached, '/classify', { text, top_k: 1 });
      expect(pipe).not.toHaveBeenCalled();
      // The batch route always goes through Nest's pipeline.
      const long = await postJson(uncached, '/classify/batch', { texts: [text], top_k: 1 });
      expect(pipe).toHaveBeenCalledTimes(1);
      expect(fast.statusCode).toBe(200);
      expect(fast.json()).toMatchObject({ cached: false, model: 'spam-en' });
      expect(long.json<{ results: unknown[] }>().results).toEqual([fast.json()]);
    } finally {
      await uncached.close();
    }
  });

  it("answers a failure of a miss in the route's error shape, and logs the fault", async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const predict = jest
      .spyOn(sut.app.get(InferenceService), 'predict')
      .mockRejectedValueOnce(new Error('the run broke'));
    const response = await sut.inject({
      method: 'POST',
      url: '/classify',
      payload: { text: `${TEXT} (a fault)` },
      headers: { 'x-request-id': 'fast-path-fault' },
    });
    expect(predict).toHaveBeenCalledTimes(1);
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: expect.any(String),
      requestId: 'fast-path-fault',
    });
    expect(response.json<{ message: string }>().message).not.toContain('the run broke');
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('the run broke'));
  });

  it('continues a miss from the model the fast path resolved, resolving it once', async () => {
    const resolveModel = jest.spyOn(sut.app.get(InferenceService), 'resolveModel');
    const missesBefore = await sample(sut, 'nlp_cache_requests_total', {
      tier: 'memory',
      result: 'miss',
    });
    const miss = await postJson(sut, '/classify', { text: `${TEXT} (resolved once)` });
    expect(miss.json()).toMatchObject({ cached: false, model: 'spam-en' });
    expect(resolveModel).toHaveBeenCalledTimes(1);
    // Looked up in memory once, by the fast path, and counted once, by the cache.
    expect(await sample(sut, 'nlp_cache_requests_total', { tier: 'memory', result: 'miss' })).toBe(
      missesBefore + 1,
    );
  });

  it('answers a hit exactly as the miss was answered, flagged cached, with every header', async () => {
    const text = `${TEXT} (exact)`;
    const miss = await postJson(sut, '/classify', { text });
    const hitsBefore = await sample(sut, 'nlp_cache_requests_total', {
      tier: 'memory',
      result: 'hit',
    });
    const hit = await sut.inject({
      method: 'POST',
      url: '/classify',
      payload: { text },
      headers: { 'x-request-id': 'fast-path-1' },
    });
    expect(hit.statusCode).toBe(200);
    expect(hit.json()).toEqual({ ...miss.json(), cached: true });
    expect(hit.headers['content-type']).toBe(miss.headers['content-type']);
    expect(hit.headers['x-request-id']).toBe('fast-path-1');
    for (const header of [
      'content-security-policy',
      'x-frame-options',
      'strict-transport-security',
    ]) {
      expect(hit.headers[header]).toBe(miss.headers[header]);
    }
    expect(await sample(sut, 'nlp_cache_requests_total', { tier: 'memory', result: 'hit' })).toBe(
      hitsBefore + 1,
    );
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

  it('leaves anything it does not recognise to validation and model lookup', async () => {
    const text = `${TEXT} (fall through)`;
    await postJson(sut, '/classify', { text });

    const extra = await postJson(sut, '/classify', { text, colour: 'blue' });
    expect(extra.statusCode).toBe(400);
    expect(extra.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });

    const unknownModel = await postJson(sut, '/classify', { text, model: 'no-such-model' });
    expect(unknownModel.statusCode).toBe(404);

    const wrongVersion = await postJson(sut, '/classify', { text, model_version: 'nope' });
    expect(wrongVersion.statusCode).toBe(404);

    const badTopK = await postJson(sut, '/classify', { text, top_k: '1' });
    expect(badTopK.statusCode).toBe(400);
  });
});

describe('cache hits and the rate limit', () => {
  it('counts each request once, whichever path answers it, and refuses past the limit', async () => {
    const sut = await startTestApp({ RATE_LIMIT: '4', RATE_LIMIT_WINDOW_SECONDS: '60' });
    try {
      // Each admitted by the fast path: a miss, two hits, another miss.
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
