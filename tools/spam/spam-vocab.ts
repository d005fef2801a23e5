import { BERT_SPECIAL_TOKENS, writeBertTokenizerFiles } from '../hf/tokenizer-files';
import { countWords, createBertWordSplitter, trainWordPiece } from '../hf/wordpiece-trainer';
import type { SPAM_EN_SETTINGS } from './spam-en.settings';

type VocabSettings = Pick<
  typeof SPAM_EN_SETTINGS,
  'vocabSize' | 'minPieceFrequency' | 'limitAlphabet' | 'modelMaxLength'
>;

/**
 * Trains spam-en's WordPiece vocabulary on `texts` and writes the tokenizer files into `dir`:
 * the build and each cross-validation fold must tokenize exactly alike. Returns the vocabulary.
 */
export function writeSpamTokenizer(
  dir: string,
  texts: readonly string[],
  s: VocabSettings,
): string[] {
  const vocab = trainWordPiece(countWords(texts, createBertWordSplitter()), {
    vocabSize: s.vocabSize,
    specialTokens: BERT_SPECIAL_TOKENS,
    minFrequency: s.minPieceFrequency,
    limitAlphabet: s.limitAlphabet,
  });
  writeBertTokenizerFiles(dir, { vocab, modelMaxLength: s.modelMaxLength });
  return vocab;
}
