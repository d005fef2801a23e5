import { GraphBuilder } from '../onnx/graph-builder';
import {
  type FloatInitializer,
  readFloatInitializers,
  requireInitializer,
} from '../onnx/initializers';

/**
 * Weights of the spam-en classifier: the masked mean and the masked max of (token + token-type)
 * embeddings side by side, one tanh hidden layer, then a linear layer to two logits. Matrices
 * are row-major, `[in, out]`.
 */
export interface SpamClassifierWeights {
  readonly vocabSize: number;
  readonly dim: number;
  readonly hidden: number;
  readonly labels: number;
  /** `[vocabSize, dim]` */
  readonly embeddings: Float32Array;
  /** `[2, dim]`; row 0 acts as a learnt bias, row 1 (second segment of a pair) stays zero. */
  readonly typeEmbeddings: Float32Array;
  /** `[2 * dim, hidden]`: rows for the mean, then rows for the max. */
  readonly w1: Float32Array;
  /** `[hidden]` */
  readonly b1: Float32Array;
  /** `[hidden, labels]` */
  readonly w2: Float32Array;
  /** `[labels]` */
  readonly b2: Float32Array;
}

/** One tokenized text: ids without padding (every position attended). */
export interface TokenizedText {
  readonly ids: readonly number[];
  /** Segment ids; all 0 when omitted. */
  readonly typeIds?: readonly number[];
}

/** Intermediate values of one forward pass, kept for back-propagation. */
export interface SpamForwardTrace {
  /** `[mean..., max...]`, length `2 * dim`. */
  readonly pooled: Float64Array;
  /** For each dimension, the position whose value the max took. */
  readonly maxFrom: Int32Array;
  readonly hidden: Float64Array;
  readonly logits: Float64Array;
}

/** Reference forward pass in plain TypeScript; the ONNX graph must agree with it. */
export function spamForward(weights: SpamClassifierWeights, text: TokenizedText): SpamForwardTrace {
  const { dim, hidden: h, labels, embeddings, typeEmbeddings, w1, b1, w2, b2 } = weights;
  const pooled = new Float64Array(2 * dim);
  const maxFrom = new Int32Array(dim);
  pooled.fill(-Infinity, dim);
  const n = text.ids.length;
  for (let t = 0; t < n; t++) {
    const row = text.ids[t] * dim;
    const typeRow = (text.typeIds?.[t] ?? 0) * dim;
    for (let d = 0; d < dim; d++) {
      // Summed in float32, as onnxruntime does, so the max compares the same values.
      const value = Math.fround(embeddings[row + d] + typeEmbeddings[typeRow + d]);
      pooled[d] += value;
      if (value > pooled[dim + d]) {
        pooled[dim + d] = value;
        maxFrom[d] = t;
      }
    }
  }
  const count = Math.max(n, 1);
  for (let d = 0; d < dim; d++) pooled[d] /= count;
  if (n === 0) pooled.fill(0, dim);
  const width = 2 * dim;

  const hidden = new Float64Array(h);
  for (let j = 0; j < h; j++) {
    let sum = b1[j];
    for (let d = 0; d < width; d++) sum += pooled[d] * w1[d * h + j];
    hidden[j] = Math.tanh(sum);
  }
  const logits = new Float64Array(labels);
  for (let k = 0; k < labels; k++) {
    let sum = b2[k];
    for (let j = 0; j < h; j++) sum += hidden[j] * w2[j * labels + k];
    logits[k] = sum;
  }
  return { pooled, maxFrom, hidden, logits };
}

/**
 * The ONNX graph of {@link spamForward} (opset 17: ReduceMax still takes `axes` as an attribute,
 * ReduceSum as an input). Padding positions are excluded by `attention_mask`,
 * so a padded batch gives each text the logits it gets alone. `token_type_ids` feeds the
 * token-type embedding, as in BERT, so it is a real input that runtimes keep.
 */
export function spamClassifierGraph(
  weights: SpamClassifierWeights,
  docString: string,
): GraphBuilder {
  const { vocabSize, dim, hidden, labels } = weights;
  const g = new GraphBuilder({ name: 'spam_en', docString });
  g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  g.input('attention_mask', 'int64', ['batch_size', 'sequence_length']);
  g.input('token_type_ids', 'int64', ['batch_size', 'sequence_length']);
  g.initializerFloat32('embeddings.word_embeddings.weight', weights.embeddings, [vocabSize, dim]);
  g.initializerFloat32('embeddings.token_type_embeddings.weight', weights.typeEmbeddings, [2, dim]);
  g.initializerFloat32('pre_classifier.weight', weights.w1, [2 * dim, hidden]);
  g.initializerFloat32('pre_classifier.bias', weights.b1, [hidden]);
  g.initializerFloat32('classifier.weight', weights.w2, [hidden, labels]);
  g.initializerFloat32('classifier.bias', weights.b2, [labels]);

  const tokens = g.op('Add', [
    g.op('Gather', ['embeddings.word_embeddings.weight', 'input_ids']),
    g.op('Gather', ['embeddings.token_type_embeddings.weight', 'token_type_ids']),
  ]);
  const mask = g.cast('attention_mask', 'float32');
  const masked = g.op('Mul', [tokens, g.unsqueeze(mask, [2])]);
  const summed = g.op('ReduceSum', [masked, g.constInt64([1])], { keepdims: 0 });
  const count = g.op('ReduceSum', [mask, g.constInt64([1])], { keepdims: 1 });
  // An all-padding row would divide by zero; clamping the count makes its mean 0.
  const mean = g.op('Div', [summed, g.op('Max', [count, g.constFloat32([1])])]);
  // Padding gets -1e9 so it never wins the max; an all-padding row's max is then zeroed.
  const padPenalty = g.op('Mul', [g.op('Sub', [mask, g.constFloat32([1])]), g.constFloat32([1e9])]);
  const max = g.op('Mul', [
    g.op('ReduceMax', [g.op('Add', [tokens, g.unsqueeze(padPenalty, [2])])], {
      axes: [1],
      keepdims: 0,
    }),
    g.op('Min', [count, g.constFloat32([1])]),
  ]);
  const pooled = g.op('Concat', [mean, max], { axis: 1 });
  const hiddenOut = g.op('Tanh', [g.dense(pooled, 'pre_classifier.weight', 'pre_classifier.bias')]);
  g.dense(hiddenOut, 'classifier.weight', 'classifier.bias', 'logits');
  g.output('logits', 'float32', ['batch_size', labels]);
  return g;
}

/** Reads the weights back out of a written spam-en graph (for tests and audits). */
export function spamClassifierWeightsFromOnnx(bytes: Uint8Array): SpamClassifierWeights {
  const tensors = readFloatInitializers(bytes);
  const get = (name: string): FloatInitializer => requireInitializer(tensors, name);
  const embeddings = get('embeddings.word_embeddings.weight');
  const w1 = get('pre_classifier.weight');
  const w2 = get('classifier.weight');
  return {
    vocabSize: embeddings.dims[0],
    dim: embeddings.dims[1],
    hidden: w1.dims[1],
    labels: w2.dims[1],
    embeddings: embeddings.data,
    typeEmbeddings: get('embeddings.token_type_embeddings.weight').data,
    w1: w1.data,
    b1: get('pre_classifier.bias').data,
    w2: w2.data,
    b2: get('classifier.bias').data,
  };
}
