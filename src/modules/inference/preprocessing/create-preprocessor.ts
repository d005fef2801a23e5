import { ModelLoadError } from '../inference.errors';
import type { ModelConfig } from '../model/model-config';
import { loadFastTextPreprocessor } from './fasttext.preprocessor';
import { HfTokenizerPreprocessor } from './hf-tokenizer.preprocessor';
import type { Preprocessor } from './preprocessor.interface';

/** Picks the preprocessor a model folder asks for; `tokenizer.json` unless config says otherwise. */
export function createPreprocessor(
  modelDir: string,
  config: ModelConfig,
  maxLength: number,
): Preprocessor {
  const kind = config.sift.preprocessor ?? 'tokenizer.json';
  switch (kind) {
    case 'tokenizer.json':
      return HfTokenizerPreprocessor.load(modelDir, maxLength, config.tokenizerConfig ?? {});
    case 'fasttext':
      return loadFastTextPreprocessor(modelDir, config.sift, maxLength);
    default:
      throw new ModelLoadError(
        modelDir,
        'config.json',
        `unknown sift.preprocessor ${JSON.stringify(kind)}`,
      );
  }
}
