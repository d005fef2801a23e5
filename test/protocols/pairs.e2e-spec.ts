import { env, pipeline, Tensor, type TextClassificationPipeline } from '@huggingface/transformers';
import { dirname } from 'node:path';

import { BERT_BENCH_DIR } from '../../tools/bert-bench/bert-bench.builder';
import { loadSpamSplit } from '../../tools/spam/corpus';
import { postJson, startTestApp, type TestApp } from '../helpers/test-app';

const PAIRS = 24;
const TOLERANCE = 1e-4;

interface Served {
  readonly prediction: number[];
  readonly truncated: boolean;
  readonly cached: boolean;
}

interface Pair {
  readonly text: string;
  readonly pair: string;
}

function softmax(logits: readonly number[]): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((value) => Math.exp(value - max));
  const sum = exps.reduce((total, value) => total + value, 0);
  return exps.map((value) => value / sum);
}

/**
 * transformers.js 4's text-classification pipeline passes its input straight to the tokenizer
 * and has no `{text, text_pair}` form, so the reference runs the pipeline's own tokenizer (with
 * `text_pair`) and model, and applies the softmax the pipeline would.
 */
async function reference(classify: TextClassificationPipeline, { text, pair }: Pair) {
  const inputs = classify.tokenizer(text, { text_pair: pair, truncation: true });
  const output = (await classify.model(inputs)) as { logits: Tensor };
  return softmax(Array.from(output.logits.data as Float32Array));
}

/** Short held-out mails, paired with their neighbours: real text, no truncation. */
function corpusPairs(): Pair[] {
  const texts = loadSpamSplit()
    .heldOut.slice(0, PAIRS * 2)
    .map((entry) => entry.text.slice(0, 300));
  return Array.from({ length: PAIRS }, (_, i) => ({ text: texts[2 * i], pair: texts[2 * i + 1] }));
}

describe.each(['0', '2'])('text pairs on bert-bench (INFERENCE_WORKERS=%s)', (workers) => {
  const pairs = corpusPairs();
  let sut: TestApp;
  let classify: TextClassificationPipeline;

  beforeAll(async () => {
    sut = await startTestApp({
      MODELS_DIR: dirname(BERT_BENCH_DIR),
      MODELS: 'bert-bench',
      INFERENCE_WORKERS: workers,
      // Real mail contains markup the injection filter would refuse with a 422.
      CONTENT_FILTER: 'false',
    });
    env.allowRemoteModels = false;
    classify = await pipeline<'text-classification'>('text-classification', BERT_BENCH_DIR);
  });

  afterAll(async () => {
    await classify.dispose();
    await sut.close();
  });

  it(`gives transformers.js's probabilities within ${TOLERANCE} from every protocol`, async () => {
    const batch = await postJson(sut, '/classify/batch', {
      texts: pairs.map((p) => p.text),
      text_pairs: pairs.map((p) => p.pair),
    });
    expect(batch.statusCode).toBe(200);
    const served = batch.json<{ results: Served[] }>().results;

    const tei = await postJson(sut, '/predict', {
      inputs: pairs.map((p) => [p.text, p.pair]),
      raw_scores: true,
    });
    expect(tei.statusCode).toBe(200);
    const v2 = await postJson(sut, '/v2/models/bert-bench/infer', {
      inputs: [
        { name: 'text', shape: [PAIRS], datatype: 'BYTES', data: pairs.map((p) => p.text) },
        { name: 'text_pair', shape: [PAIRS], datatype: 'BYTES', data: pairs.map((p) => p.pair) },
      ],
      outputs: [{ name: 'probabilities' }],
    });
    expect(v2.statusCode).toBe(200);
    const v2Probabilities = v2.json<{ outputs: { data: number[] }[] }>().outputs[0].data;
    const labels = sut.inference.resolveModel('bert-bench').config.labels;

    for (const [i, pair] of pairs.entries()) {
      expect(served[i].truncated).toBe(false);
      const expected = await reference(classify, pair);
      served[i].prediction.forEach((p, j) =>
        expect(Math.abs(p - expected[j])).toBeLessThan(TOLERANCE),
      );

      const single = await postJson(sut, '/classify', { text: pair.text, text_pair: pair.pair });
      expect(single.json<Served>().prediction).toEqual(served[i].prediction);

      const logits = new Map(
        tei.json<{ label: string; score: number }[][]>()[i].map((e) => [e.label, e.score]),
      );
      softmax(labels.map((label) => logits.get(label) ?? NaN)).forEach((p, j) =>
        expect(Math.abs(p - expected[j])).toBeLessThan(TOLERANCE),
      );
      v2Probabilities
        .slice(i * labels.length, (i + 1) * labels.length)
        .forEach((p, j) => expect(Math.abs(p - expected[j])).toBeLessThan(TOLERANCE));

      const [hf] = (
        await postJson(sut, '/models/bert-bench', {
          inputs: { text: pair.text, text_pair: pair.pair },
        })
      ).json<{ label: string; score: number }[][]>();
      for (const entry of hf) {
        expect(Math.abs(entry.score - expected[labels.indexOf(entry.label)])).toBeLessThan(
          TOLERANCE,
        );
      }
    }
  });

  it('feeds token_type_ids 1 to the second text: a pair is not its texts joined', async () => {
    const [{ text, pair }] = pairs;
    const asPair = await postJson(sut, '/classify', { text, text_pair: pair });
    // The same tokens as one sequence: [CLS] a [SEP] b [SEP] differs only in token types.
    const ids = await sut.inference.resolveModel('bert-bench').preprocessor.encode(text, pair);
    expect(ids.typeStart).toBeGreaterThan(1);
    const { input_ids: inputIds, token_type_ids: typeIds } = classify.tokenizer(text, {
      text_pair: pair,
    }) as { input_ids: Tensor; token_type_ids: Tensor };
    // Sift's ids and segment start are transformers.js's: [CLS] a [SEP] b [SEP], types 0…0 1…1.
    expect(ids.ids).toEqual(Array.from(inputIds.data as BigInt64Array, Number));
    expect(ids.typeStart).toBe(Array.from(typeIds.data as BigInt64Array, Number).indexOf(1));
    const flatTypes = {
      token_type_ids: new Tensor('int64', new BigInt64Array(ids.ids.length), [1, ids.ids.length]),
    };
    const zeroTypes = (await classify.model({
      input_ids: inputIds,
      attention_mask: new Tensor('int64', new BigInt64Array(ids.ids.length).fill(1n), [
        1,
        ids.ids.length,
      ]),
      ...flatTypes,
    })) as { logits: Tensor };
    const withoutTypes = softmax(Array.from(zeroTypes.logits.data as Float32Array));
    const served = asPair.json<Served>().prediction;
    expect(Math.max(...served.map((p, j) => Math.abs(p - withoutTypes[j])))).toBeGreaterThan(
      TOLERANCE,
    );
  });

  it('caches and de-duplicates by both texts: a swapped or different pair is its own entry', async () => {
    const a = 'The meeting moved to Friday.';
    const b = 'Is the meeting still on Thursday?';
    const first = await postJson(sut, '/classify', { text: a, text_pair: b });
    const again = await postJson(sut, '/classify', { text: a, text_pair: b });
    const swapped = await postJson(sut, '/classify', { text: b, text_pair: a });
    expect(first.json<Served>().cached).toBe(false);
    expect(again.json<Served>().cached).toBe(true);
    expect(swapped.json<Served>().cached).toBe(false);
    expect(swapped.json<Served>().prediction).not.toEqual(first.json<Served>().prediction);

    const batch = await postJson(sut, '/classify/batch', {
      texts: [a, a, a],
      text_pairs: ['first question?', 'second question?', 'first question?'],
    });
    const [x, y, z] = batch.json<{ results: Served[] }>().results;
    expect(x.prediction).not.toEqual(y.prediction);
    expect(z.prediction).toEqual(x.prediction);
  });

  it('refuses mismatched pair lists and blank second texts in each protocol shape', async () => {
    const mismatch = await postJson(sut, '/classify/batch', {
      texts: ['a', 'b'],
      text_pairs: ['c'],
    });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json().message).toContain('text_pairs must have as many items as texts');
    const blank = await postJson(sut, '/classify', { text: 'a', text_pair: '  ' });
    expect(blank.statusCode).toBe(400);
    const v2 = await postJson(sut, '/v2/models/bert-bench/infer', {
      inputs: [
        { name: 'text', shape: [2], datatype: 'BYTES', data: ['a', 'b'] },
        { name: 'text_pair', shape: [1], datatype: 'BYTES', data: ['c'] },
      ],
    });
    expect(v2.statusCode).toBe(400);
    expect(v2.json()).toEqual({ error: expect.stringContaining('as many elements') });
    const tei = await postJson(sut, '/predict', { inputs: ['a', ' '] });
    expect(tei.statusCode).toBe(400);
    expect(tei.json()).toEqual({ error: expect.any(String), error_type: 'empty' });
  });
});

describe('text pairs on a model whose preprocessor takes single texts (fastText)', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ MODELS: 'lang-id' });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('refuses them with 422 naming the model', async () => {
    const response = await postJson(sut, '/classify', { text: 'hello', text_pair: 'world' });
    expect(response.statusCode).toBe(422);
    expect(response.json().message).toContain('"lang-id" classifies single texts');
    const tei = await postJson(sut, '/predict', { inputs: ['hello', 'world'] });
    expect(tei.statusCode).toBe(422);
    expect(tei.json().error_type).toBe('validation');
  });
});
