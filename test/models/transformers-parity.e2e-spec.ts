import { env, pipeline, Tensor, type TextClassificationPipeline } from '@huggingface/transformers';
import { join } from 'node:path';

import { loadSpamSplit } from '../../tools/spam/corpus';
import { postJson, COMBINED_MODELS_DIR, startTestApp, type TestApp } from '../helpers/test-app';

const TEXTS = 100;
const BATCH = 25;
const TOLERANCE = 1e-4;

interface Served {
  readonly label: string;
  readonly prediction: number[];
  readonly truncated: boolean;
}

function softmax(logits: readonly number[]): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((value) => Math.exp(value - max));
  const sum = exps.reduce((total, value) => total + value, 0);
  return exps.map((value) => value / sum);
}

/**
 * transformers.js 4 truncates by cutting the finished token list, which drops the final [SEP];
 * Sift cuts the text's tokens and keeps [SEP], as Hugging Face's Python tokenizers (and so every
 * model trained with them) do. For texts longer than the model's limit we therefore feed
 * transformers.js's own model the [CLS] … [SEP] sequence built with its own tokenizer.
 */
async function referenceForTruncated(
  classify: TextClassificationPipeline,
  text: string,
  maxLength: number,
): Promise<number[]> {
  const { tokenizer, model } = classify;
  const [cls, sep] = tokenizer.encode('');
  const content = tokenizer.encode(text, { add_special_tokens: false }).slice(0, maxLength - 2);
  const ids = [cls, ...content, sep];
  const shape = [1, ids.length];
  const output = (await model({
    input_ids: new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), shape),
    attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), shape),
    token_type_ids: new Tensor('int64', new BigInt64Array(ids.length), shape),
  })) as { logits: Tensor };
  return softmax(Array.from(output.logits.data as Float32Array));
}

/**
 * Sift's answers against transformers.js, a library no one here wrote, loading the same folders
 * offline: tokenization, padding, the graph's inputs and the softmax must all agree.
 */
describe.each(['spam-en', 'bert-bench'])('%s over HTTP vs transformers.js', (modelName) => {
  const texts = loadSpamSplit()
    .heldOut.slice(0, TEXTS)
    .map((entry) => entry.text);
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({
      MODELS_DIR: COMBINED_MODELS_DIR,
      MODELS: modelName,
      // Answers must come from the model, not the prediction cache.
      CACHE_ENABLED: 'false',
      // Real mail contains markup the injection filter would refuse with a 422.
      CONTENT_FILTER: 'false',
      // 100 bert-bench texts in batches: their answer must not depend on the host's speed
      // (an emulated AVX2-only CPU took past the 30 s default and answered 504).
      REQUEST_TIMEOUT_MS: '600000',
    });
  });

  afterAll(async () => {
    await app.close();
  });

  it(`gives transformers.js's probabilities, within ${TOLERANCE}, for ${TEXTS} held-out texts`, async () => {
    env.allowRemoteModels = false;
    const classify = await pipeline<'text-classification'>(
      'text-classification',
      join(COMBINED_MODELS_DIR, modelName),
    );
    const { id2label } = classify.model.config as unknown as { id2label: Record<string, string> };
    const labels = Object.values(id2label);
    const maxLength = classify.tokenizer.model_max_length;

    const served: Served[] = [];
    for (let start = 0; start < texts.length; start += BATCH) {
      const response = await postJson(app, '/classify/batch', {
        texts: texts.slice(start, start + BATCH),
        model: modelName,
      });
      expect(response.statusCode).toBe(200);
      served.push(...response.json<{ results: Served[] }>().results);
    }
    expect(served).toHaveLength(TEXTS);

    let truncatedTexts = 0;
    for (const [i, result] of served.entries()) {
      let expected: number[];
      if (result.truncated) {
        truncatedTexts++;
        expected = await referenceForTruncated(classify, texts[i], maxLength);
      } else {
        const ranked = (await classify(texts[i], { top_k: null })) as {
          label: string;
          score: number;
        }[];
        expected = labels.map((label) => ranked.find((entry) => entry.label === label)!.score);
      }
      expect(result.label).toBe(labels[expected.indexOf(Math.max(...expected))]);
      result.prediction.forEach((p, j) =>
        expect(Math.abs(p - expected[j])).toBeLessThan(TOLERANCE),
      );
    }
    // Both paths must have been exercised for the comparison to mean something.
    expect(truncatedTexts).toBeGreaterThan(0);
    expect(truncatedTexts).toBeLessThan(TEXTS);
    await classify.dispose();
  });
});
