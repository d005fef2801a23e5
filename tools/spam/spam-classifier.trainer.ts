import { SeededRandom } from '../common/seeded-random';
import {
  type SpamClassifierWeights,
  type TokenizedText,
  spamForward,
} from './spam-classifier.model';

/** Hyper-parameters of {@link trainSpamClassifier}. */
export interface SpamTrainingOptions {
  readonly vocabSize: number;
  readonly dim: number;
  readonly hidden: number;
  readonly epochs: number;
  readonly batchSize: number;
  /** Peak learning rate; it decays linearly to zero over the run, which steadies the final epochs. */
  readonly learningRate: number;
  /** Decoupled (AdamW) weight decay. */
  readonly weightDecay: number;
  /** Probability of hiding each token during training, so no single word decides a message. */
  readonly tokenDropout: number;
  /**
   * Share of each target's probability spread evenly over both labels (0 for plain one-hot), so
   * the loss stops rewarding ever larger logits once a text is classified.
   */
  readonly labelSmoothing?: number;
  /** Loss weight of spam examples relative to ham (1 when omitted): trades missed spam for false alarms. */
  readonly spamWeight?: number;
  readonly seed: number;
}

/** A tokenized training text with its class index. */
export interface TrainingExample extends TokenizedText {
  readonly label: number;
  /** Loss weight of this example (1 when omitted), e.g. to weigh background text against the corpus. */
  readonly weight?: number;
}

/** Where each epoch's examples come from; an example may differ between epochs (a new crop). */
export interface TrainingSource {
  /** Examples per epoch. */
  readonly size: number;
  /** Example `index` of this epoch; it may draw from `random`, which the trainer seeded. */
  example(index: number, random: SeededRandom): TrainingExample;
}

const LABELS = 2;
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

/**
 * Trains the spam-en classifier with mini-batch AdamW on softmax cross-entropy, in float64
 * arithmetic over float32 weights. Embedding rows are updated lazily (only rows a batch used),
 * which keeps an epoch fast with a 20k-row table. Deterministic for a given seed and input order.
 */
export function trainSpamClassifier(
  source: TrainingSource,
  options: SpamTrainingOptions,
  onEpoch?: (epoch: number, meanLoss: number, weights: SpamClassifierWeights) => void,
): SpamClassifierWeights {
  const { vocabSize, dim, hidden } = options;
  const random = new SeededRandom(options.seed);
  const weights: SpamClassifierWeights = {
    vocabSize,
    dim,
    hidden,
    labels: LABELS,
    embeddings: random.normalArray(vocabSize * dim, 0.1),
    typeEmbeddings: new Float32Array(2 * dim),
    w1: random.normalArray(2 * dim * hidden, Math.sqrt(1 / (2 * dim))),
    b1: new Float32Array(hidden),
    w2: random.normalArray(hidden * LABELS, Math.sqrt(1 / hidden)),
    b2: new Float32Array(LABELS),
  };
  const dense = [weights.typeEmbeddings, weights.w1, weights.b1, weights.w2, weights.b2].map(
    (p) => new AdamState(p),
  );
  const embeddingState = new AdamState(weights.embeddings);
  const order = Array.from({ length: source.size }, (_, i) => i);
  const totalSteps = options.epochs * Math.ceil(source.size / options.batchSize);
  let step = 0;

  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    random.shuffle(order);
    let lossSum = 0;
    for (let start = 0; start < order.length; start += options.batchSize) {
      const batch = order.slice(start, start + options.batchSize);
      const grads = dense.map((s) => new Float64Array(s.param.length));
      const [gType, gW1, gB1, gW2, gB2] = grads;
      const embeddingGrads = new Map<number, Float64Array>();
      for (const index of batch) {
        const example = dropTokens(source.example(index, random), options.tokenDropout, random);
        const trace = spamForward(weights, example);
        const probs = softmax(trace.logits);
        lossSum -= Math.log(Math.max(probs[example.label], 1e-12));
        const scale =
          ((example.label === 1 ? (options.spamWeight ?? 1) : 1) * (example.weight ?? 1)) /
          batch.length;
        const smoothing = options.labelSmoothing ?? 0;
        const target = (k: number): number =>
          (k === example.label ? 1 - smoothing : 0) + smoothing / LABELS;
        const dLogits = probs.map((p, k) => (p - target(k)) * scale);
        const dHidden = new Float64Array(hidden);
        for (let j = 0; j < hidden; j++) {
          for (let k = 0; k < LABELS; k++) {
            gW2[j * LABELS + k] += trace.hidden[j] * dLogits[k];
            dHidden[j] += weights.w2[j * LABELS + k] * dLogits[k];
          }
          dHidden[j] *= 1 - trace.hidden[j] * trace.hidden[j];
        }
        dLogits.forEach((g, k) => (gB2[k] += g));
        const dPooled = new Float64Array(2 * dim);
        for (let d = 0; d < 2 * dim; d++) {
          for (let j = 0; j < hidden; j++) {
            gW1[d * hidden + j] += trace.pooled[d] * dHidden[j];
            dPooled[d] += weights.w1[d * hidden + j] * dHidden[j];
          }
        }
        dHidden.forEach((g, j) => (gB1[j] += g));
        const perToken = 1 / Math.max(example.ids.length, 1);
        const rows = example.ids.map((id) => {
          let row = embeddingGrads.get(id);
          if (!row) embeddingGrads.set(id, (row = new Float64Array(dim)));
          return row;
        });
        rows.forEach((row, t) => {
          const typeRow = (example.typeIds?.[t] ?? 0) * dim;
          for (let d = 0; d < dim; d++) {
            row[d] += dPooled[d] * perToken;
            gType[typeRow + d] += dPooled[d] * perToken;
          }
        });
        // The max passes its gradient to the one position it took each dimension from.
        for (let d = 0; d < dim && rows.length > 0; d++) {
          const t = trace.maxFrom[d];
          rows[t][d] += dPooled[dim + d];
          gType[(example.typeIds?.[t] ?? 0) * dim + d] += dPooled[dim + d];
        }
      }
      step++;
      const lr = options.learningRate * (1 - (step - 1) / totalSteps);
      dense.forEach((state, i) =>
        state.update(grads[i], 0, state.param.length, step, lr, options.weightDecay),
      );
      // Sorted so the update order, and therefore the float results, never depend on Map order.
      for (const id of [...embeddingGrads.keys()].sort((a, b) => a - b)) {
        const grad = embeddingGrads.get(id) ?? new Float64Array(dim);
        embeddingState.update(grad, id * dim, dim, step, lr, options.weightDecay);
      }
    }
    onEpoch?.(epoch, lossSum / source.size, weights);
  }
  // Pairs' second segment is never seen in training; zero keeps it from shifting predictions.
  weights.typeEmbeddings.fill(0, dim);
  return weights;
}

/**
 * Per-parameter AdamW moments; `update` touches one contiguous slice. Moments are float64:
 * squared late-training gradients underflow to float32 subnormals, which are very slow to compute with.
 */
class AdamState {
  private readonly m: Float64Array;
  private readonly v: Float64Array;

  constructor(readonly param: Float32Array) {
    this.m = new Float64Array(param.length);
    this.v = new Float64Array(param.length);
  }

  update(
    grad: Float64Array,
    offset: number,
    length: number,
    step: number,
    lr: number,
    weightDecay: number,
  ): void {
    const correction1 = 1 - BETA1 ** step;
    const correction2 = 1 - BETA2 ** step;
    for (let i = 0; i < length; i++) {
      const p = offset + i;
      const g = grad[i];
      this.m[p] = BETA1 * this.m[p] + (1 - BETA1) * g;
      this.v[p] = BETA2 * this.v[p] + (1 - BETA2) * g * g;
      const update = this.m[p] / correction1 / (Math.sqrt(this.v[p] / correction2) + EPSILON);
      this.param[p] -= lr * (update + weightDecay * this.param[p]);
    }
  }
}

function dropTokens(example: TrainingExample, rate: number, random: SeededRandom): TrainingExample {
  if (rate <= 0 || example.ids.length <= 2) return example;
  const ids = example.ids.filter(() => random.next() >= rate);
  return { ids: ids.length > 0 ? ids : example.ids, label: example.label, weight: example.weight };
}

function softmax(logits: Float64Array): Float64Array {
  const max = Math.max(...logits);
  const exps = logits.map((z) => Math.exp(z - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}
