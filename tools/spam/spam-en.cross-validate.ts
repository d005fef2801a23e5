import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { BertTextEncoder } from '../hf/bert-encoding';
import { loadBackgroundSplit } from './background-corpus';
import { withBackgroundHam } from './background-source';
import { positiveProbability } from './calibration';
import { type LabeledText, SPAM_LABELS, loadSpamSplit } from './corpus';
import { type TokenizedText, spamForward } from './spam-classifier.model';
import { type SpamTrainingOptions, trainSpamClassifier } from './spam-classifier.trainer';
import { heldOutSentenceCrops, shortWordCrops } from './spam-en.evaluation';
import { SPAM_EN_SETTINGS } from './spam-en.settings';
import { writeSpamTokenizer } from './spam-vocab';
import { cropAugmentedSource } from './text-crops';

/**
 * One fold of k-fold cross-validation on the training split only (the held-out messages are never
 * loaded into a model here): trains the vocabulary and the classifier on the other folds with
 * `SPAM_EN_SETTINGS` plus the JSON overrides given, and writes the validation fold's spam
 * probabilities, whole, as 1–3 sentence crops and as 1–8 word crops, for `spam-en.cv-report.ts` to score.
 * The background sentences are split into the same number of folds: the model trains on the other
 * folds' sentences and is scored on up to {@link BACKGROUND_VALIDATION} of this fold's.
 *
 * Usage: `tsx tools/spam/spam-en.cross-validate.ts <outDir> <name> <fold> <folds> '<json overrides>'`
 */
/** Background sentences scored per fold: enough to read a false-positive rate near 1%. */
const BACKGROUND_VALIDATION = 4000;

function main(): void {
  const [outDir, name, foldArg, foldsArg, overridesArg] = process.argv.slice(2);
  const fold = Number(foldArg);
  const folds = Number(foldsArg);
  const overrides = JSON.parse(overridesArg ?? '{}') as Partial<
    typeof SPAM_EN_SETTINGS & { readonly seed: number }
  >;
  // One ensemble member per run; `spam-en.cv-report.ts` averages runs into ensembles.
  const s = { ...SPAM_EN_SETTINGS, seed: SPAM_EN_SETTINGS.seeds[0], ...overrides };
  const { train } = loadSpamSplit();
  // The training split is already in a hash order, so striding within each class stratifies.
  const foldOf = new Map<LabeledText, number>();
  for (const label of SPAM_LABELS)
    train.filter((e) => e.label === label).forEach((e, i) => foldOf.set(e, i % folds));
  const fit = train.filter((e) => foldOf.get(e) !== fold);
  const validation = train.filter((e) => foldOf.get(e) === fold);
  const background = loadBackgroundSplit().train;
  const fitBackground = background
    .filter((_, i) => i % folds !== fold)
    .slice(0, s.backgroundSentences);
  const validationBackground = background
    .filter((_, i) => i % folds === fold)
    .slice(0, BACKGROUND_VALIDATION);

  const dir = mkdtempSync(join(tmpdir(), 'spam-cv-'));
  const vocab = writeSpamTokenizer(
    dir,
    [...fit.map((e) => e.text), ...(s.backgroundInVocabulary ? fitBackground : [])],
    s,
  );
  const encoder = BertTextEncoder.fromFolder(dir);
  rmSync(dir, { recursive: true, force: true });

  const encode = (text: string): TokenizedText => encoder.encode(text);
  const source = withBackgroundHam(
    cropAugmentedSource(
      fit.map((e) => ({ text: e.text, label: SPAM_LABELS.indexOf(e.label) })),
      encode,
      s.cropsPerMessage,
    ),
    fitBackground,
    encode,
    s.backgroundWeight,
  );
  const options: SpamTrainingOptions = { ...s, vocabSize: vocab.length };
  const weights = trainSpamClassifier(source, options);
  const probability = (text: string): number =>
    positiveProbability(spamForward(weights, encoder.encode(text)).logits);
  const probabilities = (texts: readonly LabeledText[]): number[] =>
    texts.map((e) => probability(e.text));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, `${name}.fold${fold}.json`),
    JSON.stringify({
      name,
      fold,
      settings: s,
      labels: validation.map((e) => SPAM_LABELS.indexOf(e.label)),
      whole: probabilities(validation),
      crops: probabilities(heldOutSentenceCrops(validation)),
      short: probabilities(shortWordCrops(validation)),
      background: validationBackground.map(probability),
    }),
  );
}

main();
