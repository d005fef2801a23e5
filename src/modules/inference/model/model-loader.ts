import type { ModelDtype } from '../../../config';
import { ModelLoadError } from '../inference.errors';
import { createPreprocessor } from '../preprocessing/create-preprocessor';
import type { Preprocessor } from '../preprocessing/preprocessor.interface';
import type { ModelRunner } from '../runtime/model-runner.interface';
import type { OnnxSessionOptions } from '../runtime/onnx-graph';
import { OnnxModelRunner } from '../runtime/onnx-model-runner';
import { WorkerPoolRunner } from '../runtime/worker-pool-runner';
import { readModelConfig, type ModelConfig } from './model-config';
import type { ModelSource } from './model-discovery';
import { computeModelVersion, findGraphFile, graphCandidates } from './model-files';

export interface PreparedModel {
  /** The name requests use: the folder name, or `<folder>@<dtype>` for a chosen variant. */
  readonly name: string;
  readonly dir: string;
  /** Which graph of the folder is served (see ModelDtype). */
  readonly dtype: ModelDtype;
  /** Hash of the files the served graph's predictions depend on (computeModelVersion). */
  readonly version: string;
  readonly config: ModelConfig;
  /** Effective maximum sequence length: sift.max_length, else min(MAX_SEQ_LEN, the model's). */
  readonly maxSequenceLength: number;
  readonly preprocessor: Preprocessor;
  readonly runner: ModelRunner;
  /** How long a run of the longest input a request may send took at load (best of three). */
  readonly longestRunMs: number;
}

export interface WorkerPoolPlan {
  readonly size: number;
  /** Runs handed to one worker at a time (see WorkerPoolOptions.depth). */
  readonly depth: number;
  readonly session: OnnxSessionOptions;
  /** An extra session in the first worker for runs alone in flight (WorkerPoolOptions). */
  readonly soloSession?: OnnxSessionOptions;
  /** The compiled worker entry point. */
  readonly script: () => string;
  readonly onWorkerLost?: (reason: string) => void;
}

export interface RunnerOptions {
  /**
   * Where sessions run. `auto` keeps a model on the event loop when a run of its longest
   * input takes at most EVENT_LOOP_RUN_BUDGET_MS, and gives it a worker pool otherwise.
   */
  readonly placement: 'event-loop' | 'workers' | 'auto';
  readonly eventLoopSession: OnnxSessionOptions;
  readonly pool: WorkerPoolPlan;
  /** Characters of the longest text a request may send (MAX_TEXT_CHARS): the timed input. */
  readonly longestTextChars: number;
}

/**
 * Longest run `auto` placement leaves on the event loop. A worker round trip costs about as
 * much on a busy machine, so tiny models (spam-en: about 0.1 ms for 512 tokens) answered a
 * lone request twice as slowly through a worker; a run this short blocks nothing noticeably.
 */
export const EVENT_LOOP_RUN_BUDGET_MS = 1;

const WARM_UP_TEXT = 'Sift warm-up: a short sentence to exercise the whole graph.';

/**
 * Loads one model folder and proves it works with one batch, so a malformed model stops
 * start-up with a message that names the folder and file instead of failing a request.
 */
export async function prepareModel(
  source: ModelSource,
  maxSeqLen: number,
  runnerOptions: RunnerOptions,
): Promise<PreparedModel> {
  const { dir, dtype } = source;
  const config = readModelConfig(dir);
  const maxSequenceLength =
    config.declaredMaxLength ?? Math.min(maxSeqLen, config.modelMaxLength ?? maxSeqLen);
  const preprocessor = createPreprocessor(dir, config, maxSequenceLength);
  const graphPath = findGraphFile(dir, dtype);
  if (graphPath === undefined) {
    const [file, alternative] = graphCandidates(dtype);
    const hint = dtype === 'q8' ? `; make it with \`npm run quantize -- ${dir}\`` : '';
    throw new ModelLoadError(dir, file, `file is missing (also looked for ${alternative})${hint}`);
  }
  const graphFile = graphPath.slice(dir.length + 1);
  const prove = (runner: ModelRunner, runs: number) =>
    proveRunner(runner, runs, preprocessor, config.labels.length, dir, graphFile);

  // Measured on the event loop for `auto` placement, else on the runner that serves.
  let longestRunMs: number | undefined;
  let runner: ModelRunner | undefined;
  if (runnerOptions.placement !== 'workers') {
    const onEventLoop = await OnnxModelRunner.create(
      dir,
      graphPath,
      runnerOptions.eventLoopSession,
    );
    await prove(onEventLoop, 1);
    if (runnerOptions.placement === 'auto') {
      longestRunMs = await timeLongestRun(
        onEventLoop,
        preprocessor,
        runnerOptions.longestTextChars,
      );
    }
    if (longestRunMs === undefined || longestRunMs <= EVENT_LOOP_RUN_BUDGET_MS) {
      runner = onEventLoop;
    } else {
      await onEventLoop.release();
    }
  }
  if (runner === undefined) {
    const { pool } = runnerOptions;
    runner = await WorkerPoolRunner.create(dir, graphPath, pool.session, {
      size: pool.size,
      depth: pool.depth,
      soloOptions: pool.soloSession,
      script: pool.script(),
      onWorkerLost: pool.onWorkerLost,
    });
    // One more run than workers: the first goes to the solo session, the rest are spread over
    // the workers, so no session pays for its first run on a request.
    await prove(runner, pool.size + 1);
  }
  longestRunMs ??= await timeLongestRun(runner, preprocessor, runnerOptions.longestTextChars);
  return {
    name: source.name,
    dir,
    dtype,
    version: await computeModelVersion(dir, graphPath),
    config,
    maxSequenceLength,
    preprocessor,
    runner,
    longestRunMs,
  };
}

/**
 * Runs the warm-up batch `runs` times at once and checks the logits' width against the labels.
 * On failure the runner is released and the error names the folder and file.
 */
async function proveRunner(
  runner: ModelRunner,
  runs: number,
  preprocessor: Preprocessor,
  labelCount: number,
  dir: string,
  graphFile: string,
): Promise<void> {
  try {
    const warmUp = [WARM_UP_TEXT, 'ok'].map((text) => preprocessor.encode(text).ids);
    const results = await Promise.all(
      Array.from({ length: runs }, () => runner.run(warmUp, preprocessor.padId)),
    );
    const { width } = results[0];
    if (width !== labelCount) {
      throw new ModelLoadError(
        dir,
        'config.json',
        `id2label has ${labelCount} labels but the graph's logits have width ${width}`,
      );
    }
  } catch (error) {
    await runner.release();
    if (error instanceof ModelLoadError) throw error;
    throw new ModelLoadError(dir, graphFile, `warm-up run failed: ${(error as Error).message}`);
  }
}

/** Best of three runs of a text of `chars` characters (as the model truncates it), in ms. */
async function timeLongestRun(
  runner: ModelRunner,
  preprocessor: Preprocessor,
  chars: number,
): Promise<number> {
  const sentence = `${WARM_UP_TEXT} `;
  const longText = sentence.repeat(Math.ceil(chars / sentence.length)).slice(0, chars);
  const row = preprocessor.encode(longText).ids;
  let best = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < 3; attempt++) {
    const started = performance.now();
    await runner.run([row], preprocessor.padId);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}
