import { basename } from 'node:path';
import { ModelLoadError } from '../inference.errors';
import { createPreprocessor } from '../preprocessing/create-preprocessor';
import type { Preprocessor } from '../preprocessing/preprocessor.interface';
import type { ModelRunner } from '../runtime/model-runner.interface';
import type { OnnxSessionOptions } from '../runtime/onnx-graph';
import { OnnxModelRunner } from '../runtime/onnx-model-runner';
import { WorkerPoolRunner } from '../runtime/worker-pool-runner';
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

export interface RunnerOptions {
  readonly session: OnnxSessionOptions;
  /** An extra session in the first worker for runs alone in flight (WorkerPoolOptions). */
  readonly soloSession?: OnnxSessionOptions;
  /** Worker threads with a session each; 0 runs the session on the calling thread. */
  readonly workers: number;
  /** Runs handed to one worker at a time (see WorkerPoolOptions.depth). */
  readonly workerDepth: number;
  /** The compiled worker entry point (only read when `workers` > 0). */
  readonly workerScript: () => string;
  readonly onWorkerLost?: (reason: string) => void;
}

const WARM_UP_TEXT = 'Sift warm-up: a short sentence to exercise the whole graph.';

/**
 * Loads one model folder and proves it works with one batch, so a malformed model stops
 * start-up with a message that names the folder and file instead of failing a request.
 */
export async function prepareModel(
  dir: string,
  maxSeqLen: number,
  runnerOptions: RunnerOptions,
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
  const runner = await createRunner(dir, graphPath, runnerOptions);
  try {
    // Every session runs the warm-up (the first run goes to the solo session, the rest are
    // spread over the workers), so none pays for its first run on a request.
    const warmUp = [WARM_UP_TEXT, 'ok'].map((text) => preprocessor.encode(text).ids);
    const runs = await Promise.all(
      Array.from({ length: runnerOptions.workers + 1 }, () =>
        runner.run(warmUp, preprocessor.padId),
      ),
    );
    const logits = runs[0];
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

function createRunner(
  dir: string,
  graphPath: string,
  options: RunnerOptions,
): Promise<ModelRunner> {
  if (options.workers === 0) return OnnxModelRunner.create(dir, graphPath, options.session);
  return WorkerPoolRunner.create(dir, graphPath, options.session, {
    size: options.workers,
    soloOptions: options.soloSession,
    depth: options.workerDepth,
    script: options.workerScript(),
    onWorkerLost: options.onWorkerLost,
  });
}
