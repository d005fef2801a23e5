import { env, pipeline } from '@huggingface/transformers';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { quantizeModel } from '../../tools/onnx/quantize/quantize-model';
import { loadSpamSplit } from '../../tools/spam/corpus';
import { ModelsSandbox } from '../fixtures/model-fixtures';
import { postJson, startTestApp, type TestApp } from '../helpers/test-app';

const TEXTS = 60;
const TOLERANCE = 1e-4;

interface Served {
  readonly label: string;
  readonly prediction: number[];
  readonly truncated: boolean;
}

interface Listed {
  readonly name: string;
  readonly version: string;
  readonly dtype: string;
}

/** A sandbox copy of spam-en with a freshly quantized graph beside its float one. */
function quantizedSpamEn(sandbox: ModelsSandbox, as = 'spam-en'): void {
  sandbox.copyShipped('spam-en', as);
  sandbox.remove(as, join('onnx', 'model_quantized.onnx'));
  const float = readFileSync(join(sandbox.dir, as, 'onnx', 'model.onnx'));
  sandbox.write(as, join('onnx', 'model_quantized.onnx'), quantizeModel(float).bytes);
}

async function classify(app: TestApp, model: string, texts: readonly string[]): Promise<Served[]> {
  const response = await postJson(app, '/classify/batch', { texts, model });
  expect(response.statusCode).toBe(200);
  return response.json<{ results: Served[] }>().results;
}

describe('quantized models served beside their float graphs', () => {
  const sandbox = new ModelsSandbox();
  const texts = loadSpamSplit()
    .heldOut.slice(0, TEXTS)
    .map((entry) => entry.text);
  let app: TestApp;

  beforeAll(async () => {
    quantizedSpamEn(sandbox);
    app = await startTestApp({
      MODELS_DIR: sandbox.dir,
      MODELS: 'spam-en,spam-en@q8',
      INFERENCE_WORKERS: '0',
      CACHE_ENABLED: 'false',
      // Real mail contains markup the injection filter would refuse with a 422.
      CONTENT_FILTER: 'false',
    });
  });

  afterAll(async () => {
    await app.close();
    sandbox.dispose();
  });

  it('lists both variants with their dtype and a version of the graph each serves', async () => {
    const response = await app.inject({ method: 'GET', url: '/models' });

    const models = response.json<{ models: Listed[] }>().models;
    expect(models.map(({ name, dtype }) => ({ name, dtype }))).toEqual([
      { name: 'spam-en', dtype: 'fp32' },
      { name: 'spam-en@q8', dtype: 'q8' },
    ]);
    expect(models[0].version).not.toBe(models[1].version);
  });

  it('answers from the int8 graph under the variant name, close to the float one', async () => {
    const [float, quantized] = await Promise.all([
      classify(app, 'spam-en', texts),
      classify(app, 'spam-en@q8', texts),
    ]);

    const deltas = float.map((f, i) => Math.abs(f.prediction[1] - quantized[i].prediction[1]));
    expect(Math.max(...deltas)).toBeGreaterThan(0);
    const agree = float.filter((f, i) => f.label === quantized[i].label).length;
    expect(agree / TEXTS).toBeGreaterThanOrEqual(0.95);
  });

  it('answers 404 for a variant not served and 400 for a dtype that does not exist', async () => {
    const notServed = await postJson(app, '/classify', { text: 'hi', model: 'spam-en@fp32' });
    const unknown = await postJson(app, '/classify', { text: 'hi', model: 'spam-en@int4' });

    expect(notServed.statusCode).toBe(404);
    expect(unknown.statusCode).toBe(400);
  });

  it(`agrees with transformers.js (dtype q8, same file) within ${TOLERANCE}`, async () => {
    env.allowRemoteModels = false;
    const reference = await pipeline<'text-classification'>(
      'text-classification',
      join(sandbox.dir, 'spam-en'),
      { dtype: 'q8' },
    );
    // One text per request, one request at a time: DynamicQuantizeLinear picks one activation
    // scale per tensor, i.e. per batch, so batch-mates move a q8 answer by about 1e-4 to 1e-3.
    // Alone, Sift's run and transformers.js's are the same run of the same file.
    const served: Served[] = [];
    for (const text of texts) served.push(...(await classify(app, 'spam-en@q8', [text])));
    // Truncation differs between the two libraries (see transformers-parity.e2e-spec.ts).
    const whole = served.flatMap((result, i) => (result.truncated ? [] : [i]));
    expect(whole.length).toBeGreaterThan(TEXTS / 2);
    for (const i of whole) {
      const ranked = (await reference(texts[i], { top_k: null })) as {
        label: string;
        score: number;
      }[];
      const spam = ranked.find((entry) => entry.label === 'spam')?.score ?? Number.NaN;
      expect(Math.abs(served[i].prediction[1] - spam)).toBeLessThan(TOLERANCE);
    }
    await reference.dispose();
  });
});

describe('MODEL_DTYPE', () => {
  const sandbox = new ModelsSandbox();

  afterAll(() => sandbox.dispose());

  it('serves the q8 graph under the plain name when a model is set to q8', async () => {
    quantizedSpamEn(sandbox);
    const app = await startTestApp({
      MODELS_DIR: sandbox.dir,
      MODELS: 'spam-en',
      MODEL_DTYPE: 'fp32,spam-en:q8',
      INFERENCE_WORKERS: '0',
    });
    try {
      const response = await app.inject({ method: 'GET', url: '/models' });
      expect(response.json<{ models: Listed[] }>().models).toMatchObject([
        { name: 'spam-en', dtype: 'q8' },
      ]);
    } finally {
      await app.close();
    }
  });

  it('stops start-up, naming the file and how to make it, when the q8 graph is missing', async () => {
    const dir = sandbox.copyShipped('spam-en', 'float-only');
    sandbox.remove('float-only', join('onnx', 'model_quantized.onnx'));
    const app = await startTestApp(
      { MODELS_DIR: sandbox.dir, MODELS: 'float-only', MODEL_DTYPE: 'q8' },
      { waitForModels: false },
    );
    try {
      await expect(app.inference.whenLoaded()).rejects.toThrow(
        `Cannot load model from ${dir}: model_quantized.onnx: file is missing (also looked for onnx/model_quantized.onnx); make it with \`npm run quantize -- ${dir}\``,
      );
    } finally {
      await app.close();
    }
  });
});
