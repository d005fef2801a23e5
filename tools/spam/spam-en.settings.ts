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
  seed: 20020822,
} as const;
