import { join } from 'node:path';
import { writeCrossEncoder } from '../fixtures/cross-encoder';
import { ModelsSandbox } from '../fixtures/model-fixtures';
import { postJson, startTestApp, type TestApp } from '../helpers/test-app';

const MAX_ITEMS = 4;
const QUERY = 'train to the airport';
// Over the test cross-encoder's 128 tokens once paired with the query.
const LONG = Array.from({ length: 150 }, (_, i) => `word${i % 7}`).join(' ');

describe('rerank routes refuse bad requests in their own error shape', () => {
  const sandbox = new ModelsSandbox();
  let sut: TestApp;

  beforeAll(async () => {
    writeCrossEncoder(join(sandbox.dir, 'rerank-one'), { labels: ['LABEL_0'], seed: 11 });
    sandbox.copyShipped('lang-id');
    sut = await startTestApp({
      MODELS_DIR: sandbox.dir,
      MODELS: 'rerank-one,lang-id',
      DEFAULT_MODEL: 'rerank-one',
      MAX_BATCH_ITEMS: String(MAX_ITEMS),
      CONTENT_FILTER: 'true',
    });
  });

  afterAll(async () => {
    await sut.close();
    sandbox.dispose();
  });

  const tooMany = Array.from({ length: MAX_ITEMS + 1 }, (_, i) => `passage ${i}`);

  describe('TEI /rerank: {error, error_type} with TEI statuses', () => {
    const cases: [string, unknown, number, string, string][] = [
      ['no query', { texts: ['a'] }, 422, 'validation', 'query'],
      ['no texts', { query: QUERY }, 422, 'validation', 'texts'],
      [
        'a text that is not a string',
        { query: QUERY, texts: ['a', 3] },
        422,
        'validation',
        'texts[1]',
      ],
      ['an empty list', { query: QUERY, texts: [] }, 400, 'empty', '`texts` cannot be empty'],
      ['a blank query', { query: ' ', texts: ['a'] }, 400, 'empty', 'query must not be empty'],
      [
        'a blank text',
        { query: QUERY, texts: ['a', ''] },
        400,
        'empty',
        'texts[1] must not be empty',
      ],
      [
        'too many texts',
        { query: QUERY, texts: tooMany },
        413,
        'validation',
        `at most ${MAX_ITEMS}`,
      ],
      [
        'an over-long pair',
        { query: QUERY, texts: ['a', LONG] },
        413,
        'validation',
        'query with texts[1]',
      ],
      [
        'cutting from the left',
        { query: QUERY, texts: [LONG], truncate: true, truncation_direction: 'Left' },
        422,
        'validation',
        'truncation_direction',
      ],
      ['a script', { query: '<script>x</script>', texts: ['a'] }, 422, 'validation', 'in query'],
    ];
    it.each(
      cases.map(([name, body, status, errorType, message]) => ({
        name,
        body,
        status,
        errorType,
        message,
      })),
    )('$name: $status $errorType', async ({ body, status, errorType, message }) => {
      const response = await postJson(sut, '/rerank', body);
      expect(response.statusCode).toBe(status);
      expect(response.json()).toEqual({
        error: expect.stringContaining(message),
        error_type: errorType,
      });
    });

    it('cuts an over-long pair with truncate: true, from the right as TEI does by default', async () => {
      for (const direction of [undefined, 'Right', 'right']) {
        const response = await postJson(sut, '/rerank', {
          query: QUERY,
          texts: [LONG],
          truncate: true,
          truncation_direction: direction,
        });
        expect(response.statusCode).toBe(200);
      }
    });

    it('answers a model without a pair template with 422, and an unknown model with 404', async () => {
      const pairless = await postJson(sut, '/models/lang-id/rerank', { query: 'a', texts: ['b'] });
      expect(pairless.statusCode).toBe(422);
      expect(pairless.json()).toEqual({
        error: expect.stringContaining('"lang-id" classifies single texts'),
        error_type: 'validation',
      });
      const unknown = await postJson(sut, '/models/nope/rerank', { query: 'a', texts: ['b'] });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json()).toEqual({
        error: expect.stringContaining('Unknown model "nope"'),
        error_type: 'validation',
      });
    });
  });

  describe('/v1/rerank: {message} with Sift statuses', () => {
    const cases: [string, unknown, number, string][] = [
      ['no query', { documents: ['a'] }, 400, 'query'],
      ['no documents', { query: QUERY }, 400, 'documents'],
      ['an empty list', { query: QUERY, documents: [] }, 400, 'documents must not be empty'],
      [
        'a document without text',
        { query: QUERY, documents: [{ title: 'a' }] },
        400,
        'documents[0]',
      ],
      ['top_n 0', { query: QUERY, documents: ['a'], top_n: 0 }, 400, 'top_n'],
      ['a fractional top_n', { query: QUERY, documents: ['a'], top_n: 1.5 }, 400, 'top_n'],
      [
        'a blank document',
        { query: QUERY, documents: ['a', ' '] },
        400,
        'documents[1] must not be empty',
      ],
      ['too many documents', { query: QUERY, documents: tooMany }, 400, `at most ${MAX_ITEMS}`],
      [
        'a model without a pair template',
        { model: 'lang-id', query: 'a', documents: ['b'] },
        422,
        'classifies single texts',
      ],
      [
        'an unknown model',
        { model: 'rerank-english-v3.0', query: 'a', documents: ['b'] },
        404,
        'Unknown model',
      ],
    ];
    it.each(cases.map(([name, body, status, message]) => ({ name, body, status, message })))(
      '$name: $status',
      async ({ body, status, message }) => {
        const response = await postJson(sut, '/v1/rerank', body);
        expect(response.statusCode).toBe(status);
        expect(response.json()).toEqual({ message: expect.stringContaining(message) });
      },
    );

    it('cuts an over-long document, as Cohere and Jina do', async () => {
      const response = await postJson(sut, '/v1/rerank', { query: QUERY, documents: [LONG, 'a'] });
      expect(response.statusCode).toBe(200);
    });

    it('answers malformed JSON in its shape', async () => {
      const response = await sut.inject({
        method: 'POST',
        url: '/v1/rerank',
        headers: { 'content-type': 'application/json' },
        payload: '{"query": ',
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ message: expect.any(String) });
    });
  });
});

describe('rerank routes share the rate limit', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ RATE_LIMIT: '2', RATE_LIMIT_WINDOW_SECONDS: '60' });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('counts each rerank request against the one budget, refused in each shape', async () => {
    const tei = { query: 'lunch?', texts: ['Lunch on Thursday', 'Meeting moved'] };
    const v1 = { query: 'lunch?', documents: ['Lunch on Thursday'] };
    expect((await postJson(sut, '/rerank', tei)).statusCode).toBe(200);
    expect((await postJson(sut, '/v1/rerank', v1)).statusCode).toBe(200);
    const refusedTei = await postJson(sut, '/rerank', tei);
    expect(refusedTei.statusCode).toBe(429);
    expect(refusedTei.json()).toEqual({ error: expect.any(String), error_type: 'overloaded' });
    const refusedV1 = await postJson(sut, '/v1/rerank', v1);
    expect(refusedV1.statusCode).toBe(429);
    expect(refusedV1.headers['retry-after']).toBeDefined();
    expect(refusedV1.json()).toEqual({ message: expect.any(String) });
  });
});
