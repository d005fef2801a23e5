import type { SpamClassifierWeights } from './spam-classifier.model';

/**
 * One set of weights, of the same architecture, whose logits are the mean of the members' logits
 * (up to float32 rounding). Mean and max pooling work per dimension, so the members' embeddings
 * sit side by side (dim `k · dim`); the hidden layer is block-diagonal (`k · hidden` units, each
 * block reading only its member's pooled dimensions), and the output layer sums the blocks with
 * weight `1 / k`. The shipped graph and its runtime contract stay exactly as for one model.
 */
export function mergeSpamEnsemble(
  members: readonly SpamClassifierWeights[],
): SpamClassifierWeights {
  const [first] = members;
  if (!first) throw new Error('an ensemble needs at least one member');
  const { vocabSize, dim, hidden, labels } = first;
  for (const m of members)
    if (m.vocabSize !== vocabSize || m.dim !== dim || m.hidden !== hidden || m.labels !== labels)
      throw new Error('ensemble members must share vocabulary size, dim, hidden and labels');
  const k = members.length;
  const wideDim = k * dim;
  const wideHidden = k * hidden;
  const embeddings = new Float32Array(vocabSize * wideDim);
  const typeEmbeddings = new Float32Array(2 * wideDim);
  const w1 = new Float32Array(2 * wideDim * wideHidden);
  const b1 = new Float32Array(wideHidden);
  const w2 = new Float32Array(wideHidden * labels);
  const b2 = new Float32Array(labels);
  members.forEach((m, i) => {
    for (let v = 0; v < vocabSize; v++)
      embeddings.set(m.embeddings.subarray(v * dim, (v + 1) * dim), v * wideDim + i * dim);
    for (let t = 0; t < 2; t++)
      typeEmbeddings.set(m.typeEmbeddings.subarray(t * dim, (t + 1) * dim), t * wideDim + i * dim);
    // Pooled rows are [mean of every member, max of every member]; member i's come at i · dim.
    for (const half of [0, 1])
      for (let d = 0; d < dim; d++) {
        const from = (half * dim + d) * hidden;
        const to = (half * wideDim + i * dim + d) * wideHidden + i * hidden;
        w1.set(m.w1.subarray(from, from + hidden), to);
      }
    b1.set(m.b1, i * hidden);
    for (let j = 0; j < hidden * labels; j++) w2[i * hidden * labels + j] = m.w2[j] / k;
    for (let c = 0; c < labels; c++) b2[c] += m.b2[c] / k;
  });
  return {
    vocabSize,
    dim: wideDim,
    hidden: wideHidden,
    labels,
    embeddings,
    typeEmbeddings,
    w1,
    b1,
    w2,
    b2,
  };
}

/**
 * The same weights with both logits divided by `temperature` (temperature scaling): the winning
 * label never changes, only how sure the probabilities are.
 */
export function withTemperature(
  weights: SpamClassifierWeights,
  temperature: number,
): SpamClassifierWeights {
  return {
    ...weights,
    w2: weights.w2.map((w) => w / temperature),
    b2: weights.b2.map((b) => b / temperature),
  };
}
