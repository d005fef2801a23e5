import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  generatedTexts,
  handWrittenTexts,
  mixedTexts,
} from '../../tools/fasttext/agreement-corpus';
import { checkAgreement } from '../../tools/fasttext/agreement.checker';
import { predictWithFastTextWasm } from '../../tools/fasttext/fasttext-wasm.reference';
import { postJson, SHIPPED_MODELS_DIR, startTestApp, type TestApp } from '../helpers/test-app';

const MODEL_DIR = join(SHIPPED_MODELS_DIR, 'lang-id');
const BATCH = 64;

interface Result {
  readonly label: string;
  readonly score: number;
  readonly scores: Record<string, number>;
  readonly prediction: number[];
  readonly truncated: boolean;
}

/** Served lid.176 (POST /classify/batch) against fastText itself, on the same texts as the tool spec. */
describe('lang-id served over HTTP vs fastText (fasttext.wasm.js)', () => {
  let app: TestApp;
  let labels: string[];
  let words: string[];

  beforeAll(async () => {
    app = await startTestApp({
      MODELS_DIR: SHIPPED_MODELS_DIR,
      MODELS: 'lang-id',
      // Every answer should come from the model, not from the prediction cache.
      CACHE_ENABLED: 'false',
    });
    const config = JSON.parse(readFileSync(join(MODEL_DIR, 'config.json'), 'utf8')) as {
      id2label: Record<string, string>;
    };
    labels = Object.values(config.id2label);
    const vocab = JSON.parse(readFileSync(join(MODEL_DIR, 'fasttext_vocab.json'), 'utf8')) as {
      words: string[];
    };
    words = vocab.words.filter((w) => w !== '</s>');
  });

  afterAll(async () => {
    await app.close();
  });

  async function classify(texts: readonly string[]): Promise<Result[]> {
    const results: Result[] = [];
    for (let start = 0; start < texts.length; start += BATCH) {
      const response = await postJson(app, '/classify/batch', {
        texts: texts.slice(start, start + BATCH),
        model: 'lang-id',
        top_k: 5,
      });
      expect(response.statusCode).toBe(200);
      results.push(...response.json<{ results: Result[] }>().results);
    }
    return results;
  }

  it('answers with fastText top-1 label and probabilities (within 1e-5) on 1,000+ texts', async () => {
    const texts = [
      ...handWrittenTexts(),
      ...mixedTexts(100, 7),
      ...generatedTexts(words, labels, 1000, 42),
    ];

    const [results, reference] = await Promise.all([
      classify(texts),
      predictWithFastTextWasm(texts),
    ]);
    const report = checkAgreement(
      texts,
      labels,
      results.map((r) => r.prediction),
      reference,
    );

    expect(results.filter((r) => r.truncated)).toEqual([]);
    expect(results.map((r) => r.label)).toEqual(reference.map((p) => p[0].label));
    expect(report.texts).toBeGreaterThanOrEqual(1000);
    expect(report.top1Mismatches).toEqual([]);
    expect(report.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    expect(report.maxOmittedProbability).toBeLessThanOrEqual(1.001e-5);
  });

  it('reports the top 5 languages by code with their probabilities', async () => {
    const [result] = await classify(['Der schnelle braune Fuchs springt über den faulen Hund.']);

    expect(result.label).toBe('de');
    expect(Object.keys(result.scores)).toHaveLength(5);
    expect(result.scores.de).toBe(result.score);
    expect(result.prediction).toHaveLength(176);
    expect(result.prediction[labels.indexOf('de')]).toBe(result.score);
  });

  it('classifies multi-line text whole, as fastText does with the newlines made spaces', async () => {
    const texts = [
      'Bonjour tout le monde.\nComment allez-vous ?',
      'Hello there\n\nDas ist ein Satz.\r\nY otra frase.',
    ];
    const [results, reference] = await Promise.all([
      classify(texts),
      predictWithFastTextWasm(texts.map((t) => t.replace(/\n/g, ' '))),
    ]);
    const report = checkAgreement(
      texts,
      labels,
      results.map((r) => r.prediction),
      reference,
    );
    expect(report.top1Mismatches).toEqual([]);
    expect(report.maxAbsDiff).toBeLessThanOrEqual(1e-5);
  });
});
