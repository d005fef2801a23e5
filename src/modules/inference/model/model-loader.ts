import { Logger } from '@nestjs/common';
import { dirname } from 'node:path';
import type { ModelDtype } from '../../../config';
import { ModelLoadError } from '../inference.errors';
import { createPreprocessor } from '../preprocessing/create-preprocessor';
import type { Preprocessor } from '../preprocessing/preprocessor.interface';
import type { ModelRunner } from '../runtime/model-runner.interface';
import type { OnnxSessionOptions } from '../runtime/onnx-graph';
import { OnnxModelRunner } from '../runtime/onnx-model-runner';
import { WorkerPoolRunner } from '../runtime/worker-pool-runner';
import { graphCost, isLightGraph, readGraph, type GraphCost } from './graph-cost';
import { fullRangeInt8Weights } from './int8-weight-range';
import { readModelConfig, type ModelConfig } from './model-config';
import { POLICY_FILE, relabel, rerankIndex, type ModelPolicy } from '../repository/model-policy';
import { computeModelVersion, findGraphFile, graphCandidates } from './model-files';
import { readModelOrigin, type ModelOrigin } from './model-origin';
import { join } from 'node:path';

export interface PreparedModel {
  /** The name requests use: the folder name, or `<folder>@<dtype>` for a chosen variant. */
  readonly name: string;
  /** The folder loaded: the model's folder, or one of its numbered version folders. */
  readonly dir: string;
  /** The version folder's number in Triton's layout; undefined for a flat model folder. */
  readonly versionNumber: number | undefined;
  /** Which graph of the folder is served (see ModelDtype). */
  readonly dtype: ModelDtype;
  /** The served graph file (model.onnx or model_quantized.onnx, wherever it lies). */
  readonly graphPath: string;
  /** Hash of the files the served graph's predictions depend on (computeModelVersion). */
  readonly version: string;
  /** Where on the Hub the files came from: MODEL_ID, or a folder's source.json (models:pull). */
  readonly source: ModelOrigin | undefined;
  readonly config: ModelConfig;
  /** The label id whose probability ranks passages on the rerank routes (see rerankIndex). */
  readonly rerankIndex: number;
  /**
   * Effective maximum sequence length: sift.json's max_sequence_length (else the deprecated
   * config.json sift.max_length), capped at the model's own limit; else min(MAX_SEQ_LEN, the model's).
   */
  readonly maxSequenceLength: number;
  readonly preprocessor: Preprocessor;
  readonly runner: ModelRunner;
  /** What the graph costs per text, read from its structure (see graph-cost.ts). */
  readonly cost: GraphCost;
  /** A light graph: it runs on the event loop under `auto` placement and batches without a token cap. */
  readonly light: boolean;
  /** int8 weights that can saturate U8S8 kernels on CPUs without VNNI (int8-weight-range.ts). */
  readonly fullRangeInt8Weights: readonly string[];
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
   * Where sessions run. `auto` keeps a light graph (isLightGraph) on the event loop, where a
   * worker round trip would cost more than its run (spam-en answered a lone request twice as
   * slowly through a worker), and gives any other a worker pool.
   */
  readonly placement: 'event-loop' | 'workers' | 'auto';
  readonly eventLoopSession: OnnxSessionOptions;
  /**
   * The event-loop session of a light graph under `auto` placement. Its run is too small to
   * split across cores, and spinning pool threads would take the cores the tokenizer threads
   * and the HTTP clients need.
   */
  readonly lightGraphSession: OnnxSessionOptions;
  readonly pool: WorkerPoolPlan;
}

/** One version folder to load, with the name requests use and the model's sift.json. */
export interface VersionSource {
  readonly name: string;
  readonly dir: string;
  readonly versionNumber: number | undefined;
  readonly dtype: ModelDtype;
  readonly policy: ModelPolicy;
  /** The graph to serve, relative to `dir`; unset: the dtype's graph wherever it lies. */
  readonly graph?: string;
  /** Set for a model fetched by MODEL_ID; a folder may record its own in source.json. */
  readonly origin?: ModelOrigin;
}

const logger = new Logger('ModelLoader');

const WARM_UP_TEXT = 'Sift warm-up: a short sentence to exercise the whole graph.';

/**
 * The longest input, in tokens: the model's own setting (sift.json) else MAX_SEQ_LEN, never
 * past the length the model says it was built for (model_max_length or max_position_embeddings):
 * beyond it a transformer's position embeddings have no row for the extra tokens.
 */
export function sequenceLimit(
  dir: string,
  setting: number | undefined,
  maxSeqLen: number,
  modelMaxLength: number | undefined,
): number {
  if (setting === undefined) return Math.min(maxSeqLen, modelMaxLength ?? maxSeqLen);
  if (modelMaxLength !== undefined && setting > modelMaxLength) {
    logger.warn(
      `${dir}: max_sequence_length ${setting} is over the model's own limit of ${modelMaxLength} tokens; using ${modelMaxLength}`,
    );
    return modelMaxLength;
  }
  return setting;
}

/**
 * Loads one model folder and proves it works with one batch, so a malformed model stops
 * start-up with a message that names the folder and file instead of failing a request.
 */
export async function prepareModel(
  source: VersionSource,
  maxSeqLen: number,
  runnerOptions: RunnerOptions,
): Promise<PreparedModel> {
  const { dir, dtype, policy } = source;
  const read = readModelConfig(dir);
  const config = { ...read, labels: relabel(read.labels, policy.labels) };
  // sift.json sits beside the version folders, or in a flat model's own folder.
  const policyDir = source.versionNumber === undefined ? dir : dirname(dir);
  const rerankLabelIndex = rerankIndex(policyDir, config.labels, policy.rerankLabel);
  if (config.declaredMaxLength !== undefined) {
    logger.warn(
      `${dir}: config.json's sift.max_length is deprecated; move it to ${POLICY_FILE} as max_sequence_length` +
        (policy.maxSequenceLength === undefined
          ? ''
          : ` (${POLICY_FILE}'s max_sequence_length ${policy.maxSequenceLength} applies)`),
    );
  }
  const maxSequenceLength = sequenceLimit(
    dir,
    policy.maxSequenceLength ?? config.declaredMaxLength,
    maxSeqLen,
    config.modelMaxLength,
  );
  const preprocessor = createPreprocessor(dir, config, maxSequenceLength);
  const graphPath =
    source.graph === undefined ? findGraphFile(dir, dtype) : join(dir, source.graph);
  const origin = source.origin ?? readModelOrigin(dir);
  if (graphPath === undefined) {
    const [file, alternative] = graphCandidates(dtype);
    const hint = dtype === 'q8' ? `; make it with \`npm run quantize -- ${dir}\`` : '';
    throw new ModelLoadError(dir, file, `file is missing (also looked for ${alternative})${hint}`);
  }
  const graphFile = graphPath.slice(dir.length + 1);
  const prove = (runner: ModelRunner, runs: number) =>
    proveRunner(runner, runs, preprocessor, config.labels.length, dir, graphFile);
  const graph = await readGraph(graphPath).catch((error: unknown) => {
    throw new ModelLoadError(
      dir,
      graphFile,
      `not a readable ONNX graph (${(error as Error).message})`,
    );
  });
  const cost = graphCost(graph);
  const light = isLightGraph(cost);
  const onEventLoop =
    runnerOptions.placement === 'event-loop' || (runnerOptions.placement === 'auto' && light);

  let runner: ModelRunner;
  if (onEventLoop) {
    const session =
      runnerOptions.placement === 'auto'
        ? runnerOptions.lightGraphSession
        : runnerOptions.eventLoopSession;
    runner = await OnnxModelRunner.create(dir, graphPath, session);
    await prove(runner, 1);
  } else {
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
  return {
    name: source.name,
    dir,
    versionNumber: source.versionNumber,
    dtype,
    graphPath,
    version: await computeModelVersion(dir, graphPath, source.origin?.commit),
    source: origin,
    config,
    rerankIndex: rerankLabelIndex,
    maxSequenceLength,
    preprocessor,
    runner,
    cost,
    light,
    fullRangeInt8Weights: fullRangeInt8Weights(graph),
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
    const warmUp = await Promise.all(
      [WARM_UP_TEXT, 'ok'].map(async (text) => (await preprocessor.encode(text)).ids),
    );
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
