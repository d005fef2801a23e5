import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceSession } from 'onnxruntime-node';

import type { BuildContext, BuildStep } from '../build-step';
import { BertTextEncoder, padBatch } from '../hf/bert-encoding';
import { bertConfig } from '../hf/model-config';
import { writeJson } from '../hf/tokenizer-files';
import { runBertLogits } from '../onnx/bert-session';
import { loadBackgroundSplit } from './background-corpus';
import { withBackgroundHam } from './background-source';
import { type LabeledText, SPAM_LABELS, loadSpamSplit } from './corpus';
import {
  type SpamClassifierWeights,
  type TokenizedText,
  spamClassifierGraph,
  spamForward,
} from './spam-classifier.model';
import { trainSpamClassifier } from './spam-classifier.trainer';
import { evaluateSpam, heldOutSentenceCrops, shortWordCrops } from './spam-en.evaluation';
import { spamEnModelCard } from './spam-en.model-card';
import { SPAM_EN_SETTINGS } from './spam-en.settings';
import { writeSpamTokenizer } from './spam-vocab';
import { mergeSpamEnsemble, withTemperature } from './spam-ensemble';
import { cropAugmentedSource } from './text-crops';

/** ONNX logits must match the TypeScript reference this closely (absolute). */
const PARITY_TOLERANCE = 1e-5;

/** `models/spam-en`: the shipped default model. */
export const spamEnBuildStep: BuildStep = { name: 'spam-en', run: buildSpamEn };

async function buildSpamEn({ modelsDir, log }: BuildContext): Promise<void> {
  const s = SPAM_EN_SETTINGS;
  const dir = join(modelsDir, 'spam-en');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  const { train, heldOut } = loadSpamSplit();
  log(`corpus: ${train.length} training and ${heldOut.length} held-out messages`);
  const backgroundSplit = loadBackgroundSplit();
  const background = backgroundSplit.train.slice(0, s.backgroundSentences);
  const backgroundHeldOut = backgroundSplit.heldOut.map((text, i): LabeledText => ({
    id: `background/${i}`,
    text,
    label: 'ham',
  }));
  log(
    `background: ${background.length} training and ${backgroundHeldOut.length} held-out sentences`,
  );

  const vocab = writeSpamTokenizer(
    dir,
    [...train.map((e) => e.text), ...(s.backgroundInVocabulary ? background : [])],
    s,
  );
  log(`vocabulary: ${vocab.length} WordPiece entries`);

  // Training reads the written tokenizer files, so it sees exactly what serving will.
  const encoder = BertTextEncoder.fromFolder(dir);
  const encode = (text: string): TokenizedText => encoder.encode(text);
  const source = withBackgroundHam(
    cropAugmentedSource(
      train.map((e) => ({ text: e.text, label: SPAM_LABELS.indexOf(e.label) })),
      encode,
      s.cropsPerMessage,
    ),
    background,
    encode,
    s.backgroundWeight,
  );
  const members = s.seeds.map((seed, i) =>
    trainSpamClassifier(source, { ...s, seed, vocabSize: vocab.length }, (epoch, loss) =>
      log(
        `member ${i + 1}/${s.seeds.length}, epoch ${epoch}/${s.epochs}: ` +
          `mean training loss ${loss.toFixed(5)}`,
      ),
    ),
  );
  const weights = withTemperature(mergeSpamEnsemble(members), s.temperature);

  const logitsOf = (text: string): Float64Array =>
    spamForward(weights, encoder.encode(text)).logits;
  const metrics = evaluateSpam(heldOut, logitsOf);
  const crops = evaluateSpam(heldOutSentenceCrops(heldOut), logitsOf);
  const words = evaluateSpam(shortWordCrops(heldOut), logitsOf);
  const everyday = evaluateSpam(backgroundHeldOut, logitsOf);
  for (const [name, m] of [
    ['held-out', metrics],
    ['held-out 1-3 sentence crops', crops],
    ['held-out 1-8 word crops', words],
    ['held-out background sentences', everyday],
  ] as const)
    log(
      `${name}: accuracy ${m.accuracy.toFixed(4)}, F1 ${m.f1.toFixed(4)}, ` +
        `ECE ${m.expectedCalibrationError.toFixed(4)}, ${m.confidentErrors} confident errors`,
    );
  if (metrics.f1 < 0.95) throw new Error(`held-out F1 ${metrics.f1} is below the 0.95 floor`);

  const docString =
    'Sift spam-en: masked mean and max of WordPiece embeddings, tanh layer, linear classifier';
  const modelPath = join(dir, 'onnx', 'model.onnx');
  const bytes = spamClassifierGraph(weights, docString).save(modelPath);
  log(`onnx/model.onnx: ${(bytes / 1e6).toFixed(2)} MB`);
  writeJson(
    join(dir, 'config.json'),
    bertConfig({
      labels: SPAM_LABELS,
      vocabSize: vocab.length,
      hiddenSize: weights.dim,
      numHiddenLayers: 0,
      numAttentionHeads: 1,
      intermediateSize: weights.hidden,
      maxPositionEmbeddings: s.modelMaxLength,
      extra: { sift_architecture: 'masked-mean+max-embeddings,tanh,linear' },
    }),
  );
  writeJson(join(dir, 'eval_results.json'), {
    split: 'held-out (20% of each class, by salted SHA-256 of the message checksum)',
    positive_label: 'spam',
    train_messages: train.length,
    background_sentences: background.length,
    ...metrics,
    crops: {
      texts: 'one piece of 1-3 consecutive sentences of each held-out message, with its label',
      ...crops,
    },
    words: {
      texts: 'one run of 1-8 consecutive words of each held-out message, with its label',
      ...words,
    },
    background: {
      texts: 'held-out background sentences (nlp-corpus, 20% by salted SHA-256), all ham',
      falsePositiveRate: everyday.falsePositives / everyday.total,
      ...everyday,
    },
  });
  writeFileSync(
    join(dir, 'README.md'),
    spamEnModelCard({
      metrics,
      crops,
      words,
      background: everyday,
      trainSize: train.length,
      backgroundSize: background.length,
      vocabSize: vocab.length,
    }),
  );

  const heldOutEncodings = heldOut.map((e) => encoder.encode(e.text));
  const maxDiff = await checkOnnxParity(modelPath, weights, heldOutEncodings, encoder.padId);
  log(`onnxruntime vs TypeScript forward pass: max |Δlogit| ${maxDiff.toExponential(2)}`);
}

/** Runs the written graph on padded held-out batches; throws if any row strays from the reference. */
async function checkOnnxParity(
  modelPath: string,
  weights: SpamClassifierWeights,
  encodings: readonly { readonly ids: number[]; readonly typeIds: number[] }[],
  padId: number,
): Promise<number> {
  const session = await InferenceSession.create(modelPath);
  let maxDiff = 0;
  try {
    for (let start = 0; start < encodings.length; start += 64) {
      const chunk = encodings.slice(start, start + 64);
      const logits = await runBertLogits(session, padBatch(chunk, padId));
      chunk.forEach((e, i) => {
        const expected = spamForward(weights, e).logits;
        expected.forEach((z, k) => (maxDiff = Math.max(maxDiff, Math.abs(z - logits[i][k]))));
      });
    }
  } finally {
    await session.release();
  }
  if (maxDiff > PARITY_TOLERANCE)
    throw new Error(`ONNX logits differ from the reference by ${maxDiff}`);
  return maxDiff;
}
