/** Every knob of the spam-en build; the model card quotes them. */
export const SPAM_EN_SETTINGS = {
  vocabSize: 20000,
  minPieceFrequency: 2,
  limitAlphabet: 500,
  modelMaxLength: 512,
  dim: 64,
  hidden: 64,
  epochs: 8,
  batchSize: 32,
  learningRate: 3e-3,
  weightDecay: 1e-4,
  tokenDropout: 0.1,
  /** Fresh random crops of each training message per epoch, besides the whole message. */
  cropsPerMessage: 2,
  /**
   * Target share spread over both labels: a short piece of spam often carries no sign of spam, and
   * one-hot targets pushed the model to certainty anyway.
   */
  labelSmoothing: 0.1,
  /**
   * Sentences of ordinary English (background-corpus.ts) trained as ham, once per epoch, and read
   * by the WordPiece vocabulary; chosen with their weight by cross-validation.
   */
  backgroundSentences: 20000,
  /** Loss weight of a background sentence relative to a corpus example. */
  backgroundWeight: 0.5,
  /** Whether the WordPiece vocabulary also learns from the background sentences. */
  backgroundInVocabulary: true,
  /** One member is trained per seed; the shipped graph averages their logits. */
  seeds: [20020822, 1, 2],
  /**
   * Divides the averaged logits; fitted on out-of-fold predictions of whole messages, sentence
   * crops and word crops together (spam-en.cv-report.ts).
   */
  temperature: 0.818,
} as const;
