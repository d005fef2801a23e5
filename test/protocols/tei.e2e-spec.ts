import { postJson, startTestApp, type TestApp } from '../helpers/test-app';

const HAM = 'Hi Tom, are we still meeting for lunch on Thursday? I can bring the project notes.';
const SPAM =
  'CONGRATULATIONS! You have been selected to receive a FREE $1000 gift card. Click here now to claim your prize!!!';
const MAX_SEQ_LEN = 32;
const LONG = Array.from({ length: 60 }, (_, i) => `word${i % 5}`).join(' ');

interface TeiPrediction {
  label: string;
  score: number;
}

describe('text-embeddings-inference routes', () => {
  let sut: TestApp;
  let probabilities: Map<string, Record<string, number>>;

  beforeAll(async () => {
    sut = await startTestApp({ MODELS: 'spam-en,lang-id', MAX_SEQ_LEN: String(MAX_SEQ_LEN) });
    const results = (await postJson(sut, '/classify/batch', { texts: [HAM, SPAM] })).json()
      .results as { scores: Record<string, number> }[];
    probabilities = new Map([
      [HAM, results[0].scores],
      [SPAM, results[1].scores],
    ]);
  });

  afterAll(async () => {
    await sut.close();
  });

  function expectRanked(list: TeiPrediction[], text: string): void {
    const expected = probabilities.get(text) ?? {};
    expect(list.map((entry) => entry.label).sort()).toEqual(Object.keys(expected).sort());
    for (const entry of list)
      expect(Math.abs(entry.score - expected[entry.label])).toBeLessThan(1e-6);
    expect(list.map((entry) => entry.score)).toEqual(
      [...list.map((entry) => entry.score)].sort((a, b) => b - a),
    );
  }

  it('answers one string with a flat list of every label, highest score first', async () => {
    const response = await postJson(sut, '/predict', { inputs: SPAM });
    expect(response.statusCode).toBe(200);
    expectRanked(response.json(), SPAM);
  });

  it('reads a one-element list as one text, as TEI does', async () => {
    const response = await postJson(sut, '/predict', { inputs: [HAM] });
    expectRanked(response.json(), HAM);
  });

  it('answers a batch of one-element lists with one list per input, in order', async () => {
    const response = await postJson(sut, '/predict', { inputs: [[HAM], [SPAM]] });
    expect(response.statusCode).toBe(200);
    const [ham, spam] = response.json<TeiPrediction[][]>();
    expectRanked(ham, HAM);
    expectRanked(spam, SPAM);
  });

  it('returns logits with raw_scores: their softmax is the probabilities', async () => {
    const response = await postJson(sut, '/predict', { inputs: SPAM, raw_scores: true });
    const list = response.json<TeiPrediction[]>();
    const max = Math.max(...list.map((entry) => entry.score));
    const sum = list.reduce((total, entry) => total + Math.exp(entry.score - max), 0);
    const expected = probabilities.get(SPAM) ?? {};
    for (const entry of list) {
      expect(Math.abs(Math.exp(entry.score - max) / sum - expected[entry.label])).toBeLessThan(
        1e-6,
      );
    }
    expect(list.some((entry) => entry.score > 1 || entry.score < 0)).toBe(true);
  });

  it('addresses a model under /models/{name}/predict', async () => {
    const response = await postJson(sut, '/models/lang-id/predict', {
      inputs: 'Bonjour, comment allez-vous ?',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json<TeiPrediction[]>()[0].label).toBe('fr');
  });

  it('refuses an input over the maximum length by default with 413 naming the limit', async () => {
    const response = await postJson(sut, '/predict', { inputs: LONG });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({
      error: expect.stringContaining(`maximum input length of ${MAX_SEQ_LEN} tokens`),
      error_type: 'validation',
    });
  });

  it('cuts an over-long input with truncate: true', async () => {
    const response = await postJson(sut, '/predict', { inputs: LONG, truncate: true });
    expect(response.statusCode).toBe(200);
    const classified = (await postJson(sut, '/classify', { text: LONG })).json();
    expect(classified.truncated).toBe(true);
    for (const entry of response.json<TeiPrediction[]>()) {
      expect(Math.abs(entry.score - classified.scores[entry.label])).toBeLessThan(1e-6);
    }
  });

  it.each([
    ['a number', { inputs: 7 }, 422, 'validation'],
    ['an empty list', { inputs: [] }, 422, 'validation'],
    ['a three-element sequence', { inputs: [['a', 'b', 'c']] }, 422, 'validation'],
    ['a non-boolean truncate', { inputs: 'a', truncate: 'yes' }, 422, 'validation'],
    ['a blank text', { inputs: ' ' }, 400, 'empty'],
  ])('refuses %s with %d {error, error_type: %s}', async (_, body, status, errorType) => {
    const response = await postJson(sut, '/predict', body);
    expect(response.statusCode).toBe(status);
    expect(response.json()).toEqual({ error: expect.any(String), error_type: errorType });
  });

  it('applies MAX_BATCH_ITEMS and MAX_TEXT_CHARS as TEI batch and size errors (413)', async () => {
    const items = sut.config.MAX_BATCH_ITEMS;
    const tooMany = await postJson(sut, '/predict', {
      inputs: Array.from({ length: items + 1 }, (_, i) => [`text ${i}`]),
    });
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.json()).toEqual({
      error: expect.stringContaining(`at most ${items} items`),
      error_type: 'validation',
    });
    const tooLong = await postJson(sut, '/predict', {
      inputs: 'x'.repeat(sut.config.MAX_TEXT_CHARS + 1),
      truncate: true,
    });
    expect(tooLong.statusCode).toBe(413);
    expect(tooLong.json().error_type).toBe('validation');
  });

  it('answers an unknown model with 404 in its shape, and malformed JSON too', async () => {
    const unknown = await postJson(sut, '/models/nope/predict', { inputs: 'a' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({
      error: expect.stringContaining('Unknown model "nope"'),
      error_type: 'validation',
    });
    const malformed = await sut.inject({
      method: 'POST',
      url: '/predict',
      headers: { 'content-type': 'application/json' },
      payload: '{"inputs": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(Object.keys(malformed.json()).sort()).toEqual(['error', 'error_type']);
  });

  it('GET /info describes the default model as a TEI classifier', async () => {
    const response = await sut.inject({ method: 'GET', url: '/info' });
    expect(response.statusCode).toBe(200);
    const model = sut.inference.resolveModel('spam-en');
    expect(response.json()).toEqual({
      model_id: 'spam-en',
      model_sha: model.version,
      model_dtype: 'float32',
      model_type: {
        classifier: { id2label: { 0: 'ham', 1: 'spam' }, label2id: { ham: 0, spam: 1 } },
      },
      max_concurrent_requests: sut.config.MAX_QUEUE_TEXTS,
      max_input_length: MAX_SEQ_LEN,
      max_batch_tokens: model.batcher.maxBatchTokens,
      max_batch_requests: sut.config.MAX_BATCH_SIZE,
      max_client_batch_size: sut.config.MAX_BATCH_ITEMS,
      auto_truncate: false,
      tokenization_workers: 1,
      version: '0.1.0',
      sha: null,
      docker_label: null,
    });
    const other = await sut.inject({ method: 'GET', url: '/models/lang-id/info' });
    expect(other.json().model_id).toBe('lang-id');
  });

  it('POST /tokenize lists tokens with ids, text, special flags and code-point offsets', async () => {
    const response = await postJson(sut, '/tokenize', { inputs: 'Free money, now' });
    expect(response.statusCode).toBe(200);
    const [tokens] = response.json<
      {
        id: number;
        text: string;
        special: boolean;
        start: number | null;
        stop: number | null;
      }[][]
    >();
    expect(tokens[0]).toMatchObject({ text: '[CLS]', special: true, start: null, stop: null });
    expect(tokens.at(-1)).toMatchObject({ text: '[SEP]', special: true });
    const content = tokens.filter((token) => !token.special);
    for (const token of content) {
      expect('Free money, now'.slice(token.start ?? 0, token.stop ?? 0)).toBe(token.text);
    }
    expect(content.map((token) => token.text).join('')).toBe('Freemoney,now');
    const model = sut.inference.resolveModel('spam-en');
    expect(tokens.map((token) => token.id)).toEqual(
      (await model.preprocessor.encode('Free money, now')).ids,
    );
    const bare = await postJson(sut, '/tokenize', {
      inputs: ['Free money, now'],
      add_special_tokens: false,
    });
    expect(bare.json()[0]).toEqual(content);
  });
});
