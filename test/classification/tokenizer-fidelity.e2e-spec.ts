import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  RustReference,
  writeFidelityModels,
  type ReferenceAnswer,
} from '../fixtures/tokenizers/fidelity-models';
import {
  FIDELITY_PAIRS,
  FIDELITY_TEXTS,
  type TextPair,
} from '../fixtures/tokenizers/fidelity-texts';
import { PROBE_LABELS } from '../fixtures/tokenizers/probe-graph';
import {
  TOKENIZER_FAMILIES,
  type TokenizerFamily,
} from '../fixtures/tokenizers/tokenizer-families';
import { postJson, startTestApp, type TestApp } from '../helpers/test-app';

const TOLERANCE = 1e-4;

interface Served {
  readonly prediction: number[];
  readonly truncated: boolean;
}
type Ranked = { label: string; score: number }[];

/** Label-ordered probabilities from a protocol's ranked `{label, score}` list. */
function byLabel(ranked: Ranked): number[] {
  const scores = new Map(ranked.map((entry) => [entry.label, entry.score]));
  return PROBE_LABELS.map((label) => scores.get(label) ?? Number.NaN);
}

function expectClose(served: readonly number[], expected: ReferenceAnswer, what: string): void {
  const worst = Math.max(...served.map((p, j) => Math.abs(p - expected.probabilities[j])));
  expect({ what, withinTolerance: worst <= TOLERANCE }).toEqual({ what, withinTolerance: true });
}

/**
 * Sift against training-time tokenization for every tokenizer family: the Rust crate's ids,
 * set up as Python transformers sets it, run through the same random-weight graph alone. Each
 * graph declares the inputs its architecture's optimum export does (with or without
 * token_type_ids, int64 or int32), so feeding is checked along with the ids, on every route.
 */
describe('tokenization identical to training time, for every tokenizer family', () => {
  const root = mkdtempSync(join(tmpdir(), 'sift-fidelity-'));
  let sut: TestApp;

  beforeAll(async () => {
    writeFidelityModels(root, TOKENIZER_FAMILIES);
    sut = await startTestApp({
      MODELS_DIR: root,
      MODELS: TOKENIZER_FAMILIES.map((family) => family.name).join(','),
      // The texts type special tokens and markup on purpose.
      CONTENT_FILTER: 'false',
    });
  }, 180_000);

  afterAll(async () => {
    await sut?.close();
    rmSync(root, { recursive: true, force: true });
  });

  describe.each(TOKENIZER_FAMILIES.map((family) => [family.name, family] as const))(
    '%s',
    (name, family: TokenizerFamily) => {
      let reference: RustReference;
      let singles: ReferenceAnswer[];
      let pairs: ReferenceAnswer[];

      beforeAll(async () => {
        const side = name === 'wordpiece-distilbert' ? 'left' : 'right';
        reference = await RustReference.open(join(root, name), side, family.inputs.integer);
        singles = await Promise.all(FIDELITY_TEXTS.map((text) => reference.answer(text)));
        pairs = await Promise.all(FIDELITY_PAIRS.map((pair) => reference.answer(pair)));
      });

      afterAll(() => reference.release());

      it('encodes every text and pair to the Rust ids, truncation included', async () => {
        const { preprocessor } = sut.inference.resolveModel(name);
        const inputs: (string | TextPair)[] = [...FIDELITY_TEXTS, ...FIDELITY_PAIRS];
        const expected = [...singles, ...pairs];
        for (const [index, input] of inputs.entries()) {
          const encoded =
            typeof input === 'string'
              ? await preprocessor.encode(input)
              : await preprocessor.encode(input.text, input.pair);
          expect({ index, ids: encoded.ids, truncated: encoded.truncated }).toEqual({
            index,
            ids: expected[index].ids,
            truncated: expected[index].truncated,
          });
        }
        expect(expected.some((answer) => answer.truncated)).toBe(true);
      });

      it(`serves the reference probabilities within ${TOLERANCE} on /classify and /classify/batch`, async () => {
        const batch = await postJson(sut, '/classify/batch', {
          model: name,
          texts: FIDELITY_TEXTS,
        });
        expect(batch.statusCode).toBe(200);
        batch.json<{ results: Served[] }>().results.forEach((served, i) => {
          expect(served.truncated).toBe(singles[i].truncated);
          expectClose(served.prediction, singles[i], `batch text ${i}`);
        });
        const pairBatch = await postJson(sut, '/classify/batch', {
          model: name,
          texts: FIDELITY_PAIRS.map((pair) => pair.text),
          text_pairs: FIDELITY_PAIRS.map((pair) => pair.pair),
        });
        expect(pairBatch.statusCode).toBe(200);
        pairBatch.json<{ results: Served[] }>().results.forEach((served, i) => {
          expect(served.truncated).toBe(pairs[i].truncated);
          expectClose(served.prediction, pairs[i], `batch pair ${i}`);
        });
        for (const [i, text] of FIDELITY_TEXTS.entries()) {
          const one = await postJson(sut, '/classify', { model: name, text });
          expectClose(one.json<Served>().prediction, singles[i], `text ${i}`);
        }
        for (const [i, { text, pair }] of FIDELITY_PAIRS.entries()) {
          const one = await postJson(sut, '/classify', { model: name, text, text_pair: pair });
          expectClose(one.json<Served>().prediction, pairs[i], `pair ${i}`);
        }
      });

      it('serves them on TEI /predict, the HF route and KServe V2 too', async () => {
        // TEI's batch form: [text] or [text, pair] per sequence.
        const sequences = [
          ...FIDELITY_TEXTS.map((text) => [text]),
          ...FIDELITY_PAIRS.map((p) => [p.text, p.pair]),
        ];
        const expected = [...singles, ...pairs];
        const tei = await postJson(sut, `/models/${name}/predict`, {
          inputs: sequences,
          truncate: true,
        });
        expect(`${tei.statusCode} ${tei.body}`).toMatch(/^200 /);
        tei
          .json<Ranked[]>()
          .forEach((ranked, i) => expectClose(byLabel(ranked), expected[i], `TEI ${i}`));
        const hfInputs = [
          FIDELITY_TEXTS,
          FIDELITY_PAIRS.map((p) => ({ text: p.text, text_pair: p.pair })),
        ];
        for (const [part, inputs] of hfInputs.entries()) {
          const hf = await postJson(sut, `/models/${name}`, { inputs });
          expect(`${hf.statusCode} ${hf.body}`).toMatch(/^200 /);
          const expected = part === 0 ? singles : pairs;
          hf.json<Ranked[]>().forEach((ranked, i) =>
            expectClose(byLabel(ranked), expected[i], `HF ${part}.${i}`),
          );
        }
        const v2 = await postJson(sut, `/v2/models/${name}/infer`, {
          inputs: [
            {
              name: 'text',
              shape: [FIDELITY_PAIRS.length],
              datatype: 'BYTES',
              data: FIDELITY_PAIRS.map((p) => p.text),
            },
            {
              name: 'text_pair',
              shape: [FIDELITY_PAIRS.length],
              datatype: 'BYTES',
              data: FIDELITY_PAIRS.map((p) => p.pair),
            },
          ],
          outputs: [{ name: 'probabilities' }],
        });
        expect(v2.statusCode).toBe(200);
        const flat = v2.json<{ outputs: { data: number[] }[] }>().outputs[0].data;
        pairs.forEach((answer, i) =>
          expectClose(
            flat.slice(i * PROBE_LABELS.length, (i + 1) * PROBE_LABELS.length),
            answer,
            `V2 pair ${i}`,
          ),
        );
      });
    },
  );
});
