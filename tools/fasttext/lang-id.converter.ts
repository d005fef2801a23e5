import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { convertFastTextModel, type ConvertedFastTextModel } from './fasttext.converter';

/** lid.176.ftz as shipped inside the (MIT) fasttext.wasm.js package. */
export const LID_176_PATH = join(
  dirname(createRequire(import.meta.url).resolve('fasttext.wasm.js/package.json')),
  'dist/models/language-identification/assets/lid.176.ftz',
);

const DESCRIPTION =
  'fastText lid.176 language identifier (Facebook, CC BY-SA 3.0), converted by Sift tools/fasttext ' +
  'from lid.176.ftz shipped in the fasttext.wasm.js npm package (MIT). Outputs log-probabilities.';

/** Converts lid.176 into `<modelsDir>/lang-id` (run it with `npm run models:build -- lang-id`). */
export function buildLangIdModel(modelsDir = 'models'): ConvertedFastTextModel {
  return convertFastTextModel({
    source: LID_176_PATH,
    outDir: join(modelsDir, 'lang-id'),
    description: DESCRIPTION,
  });
}
