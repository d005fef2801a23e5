import { join } from 'node:path';
import { env, pipeline } from '@huggingface/transformers';

import { loadSpamSplit } from '../../tools/spam/corpus';
import { postJson, SHIPPED_MODELS_DIR, startTestApp, type TestApp } from '../helpers/test-app';

const TEXTS = 100;
const BATCH = 25;
const TOLERANCE = 1e-4;

interface Result {
  readonly label: string;
  readonly scores: Record<string, number>;
}

/**
 * Sift's answers for spam-en against transformers.js, a library no one here wrote, loading the same
 * folder offline: tokenization, truncation, padding and softmax must all agree.
 */
describe('spam-en over HTTP vs transformers.js', () => {
  const texts = loadSpamSplit()
    .heldOut.slice(0, TEXTS)
    .map((e) => e.text);
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

  it(`gives the probabilities transformers.js gives, within ${TOLERANCE}, for ${TEXTS} held-out texts`, async () => {
    env.allowRemoteModels = false;
    const classify = await pipeline('text-classification', join(SHIPPED_MODELS_DIR, 'spam-en'));
    const expected = (await classify(texts, { top_k: null })) as unknown as {
      label: string;
      score: number;
    }[][];
    await classify.dispose();

    const served: Result[] = [];
    for (let start = 0; start < texts.length; start += BATCH) {
      const response = await postJson(app, '/classify/batch', {
        texts: texts.slice(start, start + BATCH),
        model: 'spam-en',
      });
      expect(response.statusCode).toBe(200);
      served.push(...response.json<{ results: Result[] }>().results);
    }

    expect(served).toHaveLength(TEXTS);
    served.forEach((result, i) => {
      const reference = expected[i];
      expect(result.label).toBe(reference[0].label);
      for (const { label, score } of reference) {
        expect(Math.abs(result.scores[label] - score)).toBeLessThan(TOLERANCE);
      }
    });
  });
});
