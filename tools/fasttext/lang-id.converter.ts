import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertFastTextModel, type ConvertedFastTextModel } from './fasttext.converter';

/** lid.176.ftz as shipped inside the (MIT) fasttext.wasm.js package. */
export const LID_176_PATH = join(
  dirname(createRequire(import.meta.url).resolve('fasttext.wasm.js/package.json')),
  'dist/models/language-identification/assets/lid.176.ftz',
);

const DESCRIPTION =
  'fastText lid.176 language identifier (Facebook, CC BY-SA 3.0), converted by Sift tools/fasttext ' +
  'from lid.176.ftz shipped in the fasttext.wasm.js npm package (MIT). Outputs log-probabilities.';

/** Build step: converts lid.176 into `<modelsDir>/lang-id`. */
export function buildLangIdModel(modelsDir = 'models'): ConvertedFastTextModel {
  return convertFastTextModel({
    source: LID_176_PATH,
    outDir: join(modelsDir, 'lang-id'),
    description: DESCRIPTION,
  });
}

// Run directly (`tsx tools/fasttext/lang-id.converter.ts [modelsDir]`) rather than imported.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const modelsDir = resolve(process.argv[2] ?? 'models');
  const { files, labels } = buildLangIdModel(modelsDir);
  console.log(`lang-id: ${labels.length} labels -> ${join(modelsDir, 'lang-id')}`);
  for (const [file, size] of Object.entries(files))
    console.log(`  ${file}  ${(size / 1024).toFixed(0)} KiB`);
}
