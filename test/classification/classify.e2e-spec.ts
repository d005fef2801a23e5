import { startTestApp, type TestApp } from '../helpers/test-app';

const HAM = 'Hi Tom, are we still meeting for lunch on Thursday? I can bring the project notes.';
const SPAM =
  'CONGRATULATIONS! You have been selected to receive a FREE $1000 gift card. Click here now to claim your prize, limited time offer!!!';

function sentence(index: number): string {
  return `Message number ${index}: please review the attached quarterly report and reply by Friday ${index % 7}.`;
}

describe('POST /classify (spam-en)', () => {
  let sut: TestApp;

  beforeAll(async () => {
    // The cache would answer repeated texts without the batcher, which is what we observe here.
    sut = await startTestApp({ CACHE_ENABLED: 'false' });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('answers with label, scores, legacy fields and the served model version', async () => {
    const models = (await sut.inject({ method: 'GET', url: '/models' })).json();
    const response = await sut.inject({
      method: 'POST',
      url: '/classify',
      payload: { text: SPAM },
    });

    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      label: 'spam',
      model: 'spam-en',
      model_version: models.models[0].version,
      truncated: false,
      cached: false,
    });
    expect(Object.keys(body.scores).sort()).toEqual(['ham', 'spam']);
    expect(body.scores.ham + body.scores.spam).toBeCloseTo(1, 6);
    expect(body.prediction).toEqual([body.scores.ham, body.scores.spam]);
    expect(body.confidence).toBe(body.score);
    expect(body.score).toBe(body.scores.spam);
  });

  it('tells ham from spam', async () => {
    const response = await sut.inject({ method: 'POST', url: '/classify', payload: { text: HAM } });
    expect(response.json().label).toBe('ham');
  });

  it('lists the loaded models with version, labels, length and provider', async () => {
    const response = await sut.inject({ method: 'GET', url: '/models' });
    expect(response.statusCode).toBe(200);
    expect(response.json().models).toEqual([
      expect.objectContaining({
        name: 'spam-en',
        version: expect.stringMatching(/^[0-9a-f]{12}$/),
        labels: ['ham', 'spam'],
        max_sequence_length: expect.any(Number),
        provider: 'cpu',
        default: true,
      }),
    ]);
  });

  it('accepts model_version "latest" and the exact version, and 404s any other', async () => {
    const [{ version }] = (await sut.inject({ method: 'GET', url: '/models' })).json().models;
    for (const modelVersion of ['latest', version]) {
      const ok = await sut.inject({
        method: 'POST',
        url: '/classify',
        payload: { text: HAM, model: 'spam-en', model_version: modelVersion },
      });
      expect(ok.statusCode).toBe(200);
    }
    const missing = await sut.inject({
      method: 'POST',
      url: '/classify',
      payload: { text: HAM, model_version: 'deadbeef0000' },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toContain(version);
  });

  it('batches concurrent requests into fewer ONNX runs, with the same results as one by one', async () => {
    const texts = Array.from({ length: 24 }, (_, i) => sentence(i));
    const oneByOne: number[][] = [];
    for (const text of texts) {
      const response = await sut.inject({ method: 'POST', url: '/classify', payload: { text } });
      oneByOne.push(response.json().prediction);
    }
    const before = sut.inference.resolveModel('spam-en').batcher.stats();
    const concurrent = await Promise.all(
      texts.map((text) => sut.inject({ method: 'POST', url: '/classify', payload: { text } })),
    );
    const after = sut.inference.resolveModel('spam-en').batcher.stats();

    expect(after.textsRun - before.textsRun).toBe(texts.length);
    expect(after.runs - before.runs).toBeLessThan(texts.length);
    concurrent.forEach((response, index) => {
      expect(response.statusCode).toBe(200);
      const prediction: number[] = response.json().prediction;
      prediction.forEach((p, j) => expect(Math.abs(p - oneByOne[index][j])).toBeLessThan(1e-5));
    });
  });

  it('returns batch results in input order, equal to single requests', async () => {
    const texts = [SPAM, HAM, sentence(1), SPAM.toLowerCase(), 'ok', sentence(2)];
    const batch = await sut.inject({ method: 'POST', url: '/classify/batch', payload: { texts } });
    expect(batch.statusCode).toBe(200);
    const results = batch.json().results as { prediction: number[]; label: string }[];
    expect(results).toHaveLength(texts.length);
    for (const [index, text] of texts.entries()) {
      const single = (
        await sut.inject({ method: 'POST', url: '/classify', payload: { text } })
      ).json();
      expect(results[index].label).toBe(single.label);
      results[index].prediction.forEach((p, j) =>
        expect(Math.abs(p - single.prediction[j])).toBeLessThan(1e-5),
      );
    }
  });

  it('computes duplicate texts of one batch once', async () => {
    const text = `${sentence(99)} duplicate`;
    const before = sut.inference.resolveModel('spam-en').batcher.stats();
    const response = await sut.inject({
      method: 'POST',
      url: '/classify/batch',
      payload: { texts: [text, text, text] },
    });
    const after = sut.inference.resolveModel('spam-en').batcher.stats();
    expect(response.statusCode).toBe(200);
    expect(after.textsRun - before.textsRun).toBe(1);
    const [a, b, c] = response.json().results;
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('marks texts longer than the model maximum as truncated', async () => {
    const long = Array.from({ length: 1200 }, (_, i) => `word${i % 50}`).join(' ');
    const response = await sut.inject({
      method: 'POST',
      url: '/classify/batch',
      payload: { texts: [long, HAM] },
    });
    const [longResult, shortResult] = response.json().results;
    expect(longResult.truncated).toBe(true);
    expect(shortResult.truncated).toBe(false);
  });
});

describe('truncation to MAX_SEQ_LEN', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ MAX_SEQ_LEN: '8', CACHE_ENABLED: 'false' });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('cuts to min(MAX_SEQ_LEN, model max) and classifies the kept prefix', async () => {
    const [model] = (await sut.inject({ method: 'GET', url: '/models' })).json().models;
    expect(model.max_sequence_length).toBe(8);
    const prefix = 'free money now';
    const response = await sut.inject({
      method: 'POST',
      url: '/classify/batch',
      payload: { texts: [`${prefix} ${HAM} ${HAM}`, 'hello'] },
    });
    const [long, short] = response.json().results;
    expect(long.truncated).toBe(true);
    expect(short.truncated).toBe(false);
  });
});
