import { basename } from 'node:path';
import { ModelLoadError } from '../inference.errors';
import { createPreprocessor } from '../preprocessing/create-preprocessor';
import type { Preprocessor } from '../preprocessing/preprocessor.interface';
import { OnnxModelRunner, type OnnxRunnerOptions } from '../runtime/onnx-model-runner';
import type { ModelRunner } from '../runtime/model-runner.interface';
import { readModelConfig, type ModelConfig } from './model-config';
import { computeModelVersion, findGraphFile } from './model-files';

export interface PreparedModel {
  /** The folder name, which is the name requests use. */
  readonly name: string;
  readonly dir: string;
  readonly version: string;
  readonly config: ModelConfig;
  /** Effective maximum sequence length: sift.max_length, else min(MAX_SEQ_LEN, the model's). */
  readonly maxSequenceLength: number;
  readonly preprocessor: Preprocessor;
  readonly runner: ModelRunner;
}

const WARM_UP_TEXT = 'Sift warm-up: a short sentence to exercise the whole graph.';

/**
 * Loads one model folder and proves it works with one batch, so a malformed model stops
 * start-up with a message that names the folder and file instead of failing a request.
 */
export async function prepareModel(
  dir: string,
  maxSeqLen: number,
  runnerOptions: OnnxRunnerOptions,
): Promise<PreparedModel> {
  const config = readModelConfig(dir);
  const maxSequenceLength =
    config.declaredMaxLength ?? Math.min(maxSeqLen, config.modelMaxLength ?? maxSeqLen);
  const preprocessor = createPreprocessor(dir, config, maxSequenceLength);
  const graphPath = findGraphFile(dir);
  if (graphPath === undefined) {
    throw new ModelLoadError(
      dir,
      'model.onnx',
      'file is missing (also looked for onnx/model.onnx)',
    );
  }
  const runner = await OnnxModelRunner.create(dir, graphPath, runnerOptions);
  try {
    const warmUp = [WARM_UP_TEXT, 'ok'].map((text) => preprocessor.encode(text).ids);
    const logits = await runner.run(warmUp, preprocessor.padId);
    if (logits.width !== config.labels.length) {
      throw new ModelLoadError(
        dir,
        'config.json',
        `id2label has ${config.labels.length} labels but the graph's logits have width ${logits.width}`,
      );
    }
  } catch (error) {
    await runner.release();
    if (error instanceof ModelLoadError) throw error;
    throw new ModelLoadError(
      dir,
      graphPath.slice(dir.length + 1),
      `warm-up run failed: ${(error as Error).message}`,
    );
  }
  return {
    name: basename(dir),
    dir,
    version: computeModelVersion(dir),
    config,
    maxSequenceLength,
    preprocessor,
    runner,
  };
}
