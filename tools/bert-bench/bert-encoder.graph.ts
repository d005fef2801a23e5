import { SeededRandom } from '../common/seeded-random';
import { GraphBuilder } from '../onnx/graph-builder';

/** Shape of a BERT encoder for sequence classification. */
export interface BertShape {
  readonly vocabSize: number;
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly intermediate: number;
  readonly maxPositions: number;
  readonly labels: number;
}

const LAYER_NORM_EPS = 1e-12;
/** HF BERT masks with the most negative float32 rather than -inf, so softmax never sees NaN. */
const MASK_VALUE = -3.4028234663852886e38;

/**
 * A BERT graph in the layout optimum exports (`input_ids`, `attention_mask`, `token_type_ids` →
 * `logits`), with weights drawn from Normal(0, 0.02) by a seeded PRNG — the same compute
 * profile as a trained BERT, none of the meaning.
 */
export function bertEncoderGraph(shape: BertShape, seed: number, docString: string): GraphBuilder {
  const { hidden, heads, maxPositions } = shape;
  if (hidden % heads !== 0) throw new Error(`hidden ${hidden} is not divisible by heads ${heads}`);
  const headDim = hidden / heads;
  const random = new SeededRandom(seed);
  const g = new GraphBuilder({ name: 'bert_bench', docString });
  const weight = (name: string, dims: number[]): string =>
    g.initializerFloat32(name, random.normalArray(dims[0] * (dims[1] ?? 1), 0.02), dims);
  const filled = (name: string, size: number, value: number): string =>
    g.initializerFloat32(name, new Float32Array(size).fill(value), [size]);
  const layerNorm = (x: string, prefix: string): string =>
    g.op(
      'LayerNormalization',
      [x, filled(`${prefix}.weight`, hidden, 1), filled(`${prefix}.bias`, hidden, 0)],
      {
        axis: -1,
        epsilon: LAYER_NORM_EPS,
      },
    );
  const linear = (x: string, prefix: string, inDim: number, outDim: number): string =>
    g.dense(x, weight(`${prefix}.weight`, [inDim, outDim]), filled(`${prefix}.bias`, outDim, 0));

  g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  g.input('attention_mask', 'int64', ['batch_size', 'sequence_length']);
  g.input('token_type_ids', 'int64', ['batch_size', 'sequence_length']);

  const sequenceLength = g.op('Gather', [g.op('Shape', ['input_ids']), g.constInt64([1], [])], {
    axis: 0,
  });
  const positions = g.op('Range', [g.constInt64([0], []), sequenceLength, g.constInt64([1], [])]);
  const embeddings = g.op('Add', [
    g.op('Add', [
      g.op('Gather', [
        weight('embeddings.word_embeddings.weight', [shape.vocabSize, hidden]),
        'input_ids',
      ]),
      g.op('Gather', [
        weight('embeddings.position_embeddings.weight', [maxPositions, hidden]),
        positions,
      ]),
    ]),
    g.op('Gather', [
      weight('embeddings.token_type_embeddings.weight', [2, hidden]),
      'token_type_ids',
    ]),
  ]);
  let x = layerNorm(embeddings, 'embeddings.LayerNorm');

  // [batch, 1, 1, sequence]: 0 where attended, a huge negative where padded.
  const maskFloat = g.cast('attention_mask', 'float32');
  const additiveMask = g.op('Mul', [
    g.unsqueeze(g.op('Sub', [g.constFloat32([1]), maskFloat]), [1, 2]),
    g.constFloat32([MASK_VALUE]),
  ]);
  const splitHeads = g.constInt64([0, 0, heads, headDim]);
  const mergeHeads = g.constInt64([0, 0, hidden]);
  const scale = g.constFloat32([1 / Math.sqrt(headDim)]);

  for (let l = 0; l < shape.layers; l++) {
    const p = `encoder.layer.${l}`;
    const heads4d = (name: string, perm: number[]): string =>
      g.op(
        'Transpose',
        [g.op('Reshape', [linear(x, `${p}.attention.self.${name}`, hidden, hidden), splitHeads])],
        {
          perm,
        },
      );
    const q = heads4d('query', [0, 2, 1, 3]);
    const kT = heads4d('key', [0, 2, 3, 1]);
    const v = heads4d('value', [0, 2, 1, 3]);
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q, kT]), scale]), additiveMask]);
    const context = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v]);
    const merged = g.op('Reshape', [
      g.op('Transpose', [context], { perm: [0, 2, 1, 3] }),
      mergeHeads,
    ]);
    const attended = linear(merged, `${p}.attention.output.dense`, hidden, hidden);
    x = layerNorm(g.op('Add', [attended, x]), `${p}.attention.output.LayerNorm`);

    const up = linear(x, `${p}.intermediate.dense`, hidden, shape.intermediate);
    const gelu = g.op('Mul', [
      g.op('Mul', [up, g.constFloat32([0.5])]),
      g.op('Add', [
        g.op('Erf', [g.op('Mul', [up, g.constFloat32([Math.SQRT1_2])])]),
        g.constFloat32([1]),
      ]),
    ]);
    const down = linear(gelu, `${p}.output.dense`, shape.intermediate, hidden);
    x = layerNorm(g.op('Add', [down, x]), `${p}.output.LayerNorm`);
  }

  const cls = g.op('Gather', [x, g.constInt64([0], [])], { axis: 1 });
  const pooled = g.op('Tanh', [linear(cls, 'pooler.dense', hidden, hidden)]);
  g.dense(
    pooled,
    weight('classifier.weight', [hidden, shape.labels]),
    filled('classifier.bias', shape.labels, 0),
    'logits',
  );
  g.output('logits', 'float32', ['batch_size', shape.labels]);
  return g;
}
