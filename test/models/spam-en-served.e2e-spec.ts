import { binaryMetrics } from '../../tools/spam/binary-metrics';
import { SPAM_LABELS, loadSpamSplit } from '../../tools/spam/corpus';
import { EVERYDAY_HAM, EVERYDAY_SPAM } from '../fixtures/everyday-messages';
import { postJson, SHIPPED_MODELS_DIR, startTestApp, type TestApp } from '../helpers/test-app';

/**
 * Everyday fixture floors, at what the shipped model scores (see its card): the original 25 ham,
 * then shares of the whole widened fixture.
 */
const HAM_MIN = 22;
const HAM_SHARE_MIN = 0.9;
const SPAM_SHARE_MIN = 0.9;

/** Below the 64-text limit, so a request also stays well under the body limit (texts ≤ 5,000 chars). */
const BATCH = 32;

interface Result {
  readonly label: string;
  readonly scores: Record<string, number>;
}

/** The shipped spam-en model, served over HTTP, on the held-out split it never trained on. */
describe('spam-en served over HTTP', () => {
  const { heldOut } = loadSpamSplit();
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({
      MODELS_DIR: SHIPPED_MODELS_DIR,
      MODELS: 'spam-en',
      // Answers must come from the model, not the prediction cache.
      CACHE_ENABLED: 'false',
      // Real mail says "data:" often enough; the injection filter would reject those texts with a 422.
      CONTENT_FILTER: 'false',
    });
  });

  afterAll(async () => {
    await app.close();
  });

  it('reaches F1 of at least 0.97 on the held-out split through POST /classify/batch', async () => {
    const predicted: number[] = [];
    for (let start = 0; start < heldOut.length; start += BATCH) {
      const texts = heldOut.slice(start, start + BATCH).map((e) => e.text);
      const response = await postJson(app, '/classify/batch', { texts, model: 'spam-en' });
      expect(response.statusCode).toBe(200);
      const { results } = response.json<{ results: Result[] }>();
      expect(results).toHaveLength(texts.length);
      for (const result of results) {
        expect(SPAM_LABELS).toContain(result.label);
        predicted.push(result.label === 'spam' ? 1 : 0);
      }
    }

    const metrics = binaryMetrics(
      predicted,
      heldOut.map((e) => (e.label === 'spam' ? 1 : 0)),
    );

    expect(metrics.total).toBe(heldOut.length);
    // 0.980 before background English joined training; it costs about 0.006 (see the model card).
    expect(metrics.f1).toBeGreaterThanOrEqual(0.97);
  });

  /** The spam score of each text, from one POST /classify/batch. */
  async function spamScores(texts: readonly string[]): Promise<number[]> {
    const response = await postJson(app, '/classify/batch', { texts, model: 'spam-en' });
    expect(response.statusCode).toBe(200);
    return response.json<{ results: Result[] }>().results.map((r) => r.scores.spam);
  }

  it('gets everyday short messages right: chat as ham, classic spam as spam', async () => {
    const ham = await spamScores(EVERYDAY_HAM);
    const spam = await spamScores(EVERYDAY_SPAM);

    // The model trained on 2002 mail alone got 15 of the original 25 ham right; background
    // English taught it that greetings, thanks and short requests are ordinary.
    expect(ham.slice(0, 25).filter((p) => p < 0.5).length).toBeGreaterThanOrEqual(HAM_MIN);
    expect(spam.slice(0, 15).filter((p) => p > 0.5).length).toBe(15);
    expect(ham.filter((p) => p < 0.5).length / ham.length).toBeGreaterThanOrEqual(HAM_SHARE_MIN);
    expect(spam.filter((p) => p > 0.5).length / spam.length).toBeGreaterThanOrEqual(SPAM_SHARE_MIN);
  });

  it('is never near-certain that a greeting, a short request or a birthday wish is spam', async () => {
    const texts = [
      'Hello',
      'hi',
      'Can you send me the report by Friday? Thanks, Anna',
      'Happy birthday! Hope you have a great day.',
    ];

    const scores = await spamScores(texts);

    // The model before short-text training gave each of these 1.000.
    expect(texts.filter((_, i) => scores[i] >= 0.99)).toEqual([]);
  });
});
