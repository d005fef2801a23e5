import { InferenceSession } from 'onnxruntime-node';

import { padBatch } from '../hf/bert-encoding';
import { runBertLogits } from '../onnx/bert-session';
import {
  type FloatInitializer,
  readFloatInitializers,
  requireInitializer,
} from '../onnx/initializers';
import { type BertShape, bertEncoderGraph } from './bert-encoder.graph';

const SHAPE: BertShape = {
  vocabSize: 40,
  hidden: 16,
  layers: 2,
  heads: 4,
  intermediate: 32,
  maxPositions: 24,
  labels: 2,
};

type Matrix = number[][];

/** Textbook BERT for one unpadded sequence, written independently of the graph builder. */
function referenceLogits(
  weights: ReadonlyMap<string, FloatInitializer>,
  ids: number[],
  typeIds: number[],
): number[] {
  const w = (name: string): FloatInitializer => requireInitializer(weights, name);
  const row = (name: string, r: number): number[] => {
    const t = w(name);
    return Array.from(t.data.subarray(r * t.dims[1], (r + 1) * t.dims[1]));
  };
  const linear = (x: Matrix, prefix: string): Matrix => {
    const { dims, data } = w(`${prefix}.weight`);
    const bias = w(`${prefix}.bias`).data;
    return x.map((v) =>
      Array.from({ length: dims[1] }, (_, o) =>
        v.reduce((sum, xi, i) => sum + xi * data[i * dims[1] + o], bias[o]),
      ),
    );
  };
  const layerNorm = (x: Matrix, prefix: string): Matrix =>
    x.map((v) => {
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
      return v.map(
        (xi, i) =>
          ((xi - mean) / Math.sqrt(variance + 1e-12)) * w(`${prefix}.weight`).data[i] +
          w(`${prefix}.bias`).data[i],
      );
    });
  const add = (a: Matrix, b: Matrix): Matrix => a.map((v, i) => v.map((x, j) => x + b[i][j]));
  const erf = (x: number): number => {
    // Abramowitz–Stegun 7.1.26 is too coarse; integrate the series instead (|x| is small here).
    let sum = 0;
    let term = x;
    for (let n = 0; n < 60; n++) {
      sum += term / (2 * n + 1);
      term *= (-x * x) / (n + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  };

  const headDim = SHAPE.hidden / SHAPE.heads;
  let x = layerNorm(
    ids.map((id, t) =>
      row('embeddings.word_embeddings.weight', id).map(
        (v, d) =>
          v +
          row('embeddings.position_embeddings.weight', t)[d] +
          row('embeddings.token_type_embeddings.weight', typeIds[t])[d],
      ),
    ),
    'embeddings.LayerNorm',
  );
  for (let l = 0; l < SHAPE.layers; l++) {
    const p = `encoder.layer.${l}`;
    const q = linear(x, `${p}.attention.self.query`);
    const k = linear(x, `${p}.attention.self.key`);
    const v = linear(x, `${p}.attention.self.value`);
    const context: Matrix = x.map(() => new Array<number>(SHAPE.hidden).fill(0));
    for (let h = 0; h < SHAPE.heads; h++) {
      const cols = Array.from({ length: headDim }, (_, d) => h * headDim + d);
      for (let i = 0; i < ids.length; i++) {
        const scores = k.map(
          (kj) => cols.reduce((s, c) => s + q[i][c] * kj[c], 0) / Math.sqrt(headDim),
        );
        const max = Math.max(...scores);
        const exps = scores.map((s) => Math.exp(s - max));
        const total = exps.reduce((a, b) => a + b, 0);
        for (const c of cols)
          context[i][c] = exps.reduce((s, e, j) => s + (e / total) * v[j][c], 0);
      }
    }
    x = layerNorm(
      add(linear(context, `${p}.attention.output.dense`), x),
      `${p}.attention.output.LayerNorm`,
    );
    const up = linear(x, `${p}.intermediate.dense`).map((r) =>
      r.map((u) => 0.5 * u * (1 + erf(u / Math.SQRT2))),
    );
    x = layerNorm(add(linear(up, `${p}.output.dense`), x), `${p}.output.LayerNorm`);
  }
  const pooled = linear([x[0]], 'pooler.dense').map((r) => r.map(Math.tanh));
  return linear(pooled, 'classifier')[0];
}

describe(bertEncoderGraph.name, () => {
  const bytes = bertEncoderGraph(SHAPE, 7, 'spec').toBytes();
  const weights = readFloatInitializers(bytes);
  const texts = [
    { ids: [2, 10, 11, 12, 13, 14, 15, 3], typeIds: [0, 0, 0, 0, 0, 1, 1, 1] },
    { ids: [2, 20, 3], typeIds: [0, 0, 0] },
    { ids: [2, 30, 31, 32, 3], typeIds: [0, 0, 0, 0, 0] },
  ];
  let session: InferenceSession;

  beforeAll(async () => {
    session = await InferenceSession.create(bytes);
  });

  afterAll(async () => {
    await session.release();
  });

  it('computes what a textbook BERT computes', async () => {
    const outputs: number[][] = [];
    for (const text of texts) {
      const [logits] = await runBertLogits(session, padBatch([text], 0));
      const expected = referenceLogits(weights, text.ids, text.typeIds);
      // Random 0.02-scale weights give logits near 1e-3 that vary ~1e-5 with the input: the bound must be far tighter.
      expected.forEach((z, k) => expect(Math.abs(logits[k] - z)).toBeLessThan(1e-7));
      outputs.push(Array.from(logits));
    }
    expect(Math.abs(outputs[0][0] - outputs[1][0])).toBeGreaterThan(1e-6);
  });

  it('gives a padded batch the logits each text gets alone', async () => {
    const batched = await runBertLogits(session, padBatch(texts, 0));
    for (const [i, text] of texts.entries()) {
      const [alone] = await runBertLogits(session, padBatch([text], 0));
      for (let k = 0; k < 2; k++) expect(Math.abs(batched[i][k] - alone[k])).toBeLessThan(1e-6);
    }
  });

  it('is reproducible from its seed', () => {
    expect(
      Buffer.from(bertEncoderGraph(SHAPE, 7, 'spec').toBytes()).equals(Buffer.from(bytes)),
    ).toBe(true);
  });
});
