import type { BuildContext, BuildStep } from '../build-step';
import { buildLangIdModel } from './lang-id.converter';

/** `models/lang-id`: fastText's lid.176 converted to ONNX (the hand-written README.md is kept). */
export const langIdBuildStep: BuildStep = {
  name: 'lang-id',
  run: ({ modelsDir, log }: BuildContext): Promise<void> => {
    const { files, labels, model } = buildLangIdModel(modelsDir);
    log(
      `lid.176: ${model.dictionary.nwords} words, ${labels.length} labels, ${model.input.rows} input rows`,
    );
    for (const [file, bytes] of Object.entries(files))
      log(`  ${file} ${(bytes / 1024).toFixed(0)} KiB`);
    return Promise.resolve();
  },
};
