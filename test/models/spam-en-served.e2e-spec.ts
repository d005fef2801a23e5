import { binaryMetrics } from '../../tools/spam/binary-metrics';
import { SPAM_LABELS, loadSpamSplit } from '../../tools/spam/corpus';
import { postJson, SHIPPED_MODELS_DIR, startTestApp, type TestApp } from '../helpers/test-app';

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

  it('reaches F1 of at least 0.95 on the held-out split through POST /classify/batch', async () => {
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
    expect(metrics.f1).toBeGreaterThanOrEqual(0.95);
  });
});
