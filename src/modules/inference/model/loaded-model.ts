import type { ModelDtype } from '../../../config';
import type { DynamicBatcher } from '../batching/dynamic-batcher';
import type { PreparedModel } from './model-loader';
import type { ModelOrigin } from './model-origin';

/** A model ready to serve: its files, preprocessing and runtime (see PreparedModel), and queue. */
export interface LoadedModel extends PreparedModel {
  readonly batcher: DynamicBatcher;
  /** sift.json's default_top_k; undefined falls back to DEFAULT_TOP_K's rule. */
  readonly defaultTopK: number | undefined;
}

/**
 * `event-loop`: every run on the event loop; `worker-threads`: in `workers` worker threads;
 * `tokenizer-threads`: a light graph, encoded and run in the tokenizer threads when requests
 * overlap and on the event loop when a request is alone.
 */
export const MODEL_PLACEMENTS = ['event-loop', 'worker-threads', 'tokenizer-threads'] as const;
export type ModelPlacement = (typeof MODEL_PLACEMENTS)[number];

export function placementOf(model: LoadedModel): ModelPlacement {
  if (model.runner.workers > 0) return 'worker-threads';
  return model.batcher.encodesTexts ? 'tokenizer-threads' : 'event-loop';
}

/** What `GET /models` shows of a model's latest version. */
export function describeModel(
  model: LoadedModel,
  isDefault: boolean,
  versions: readonly VersionInfo[],
): ModelInfo {
  return {
    name: model.name,
    version: model.version,
    dtype: model.dtype,
    labels: model.config.labels,
    problem_type: model.config.problemType,
    max_sequence_length: model.maxSequenceLength,
    provider: model.runner.provider,
    workers: model.runner.workers,
    placement: placementOf(model),
    default: isDefault,
    versions,
    ...(model.source === undefined ? {} : { source: model.source }),
  };
}

/** Triton's model states, as the repository index reports them. */
export type VersionState = 'READY' | 'UNAVAILABLE' | 'LOADING' | 'UNLOADING';

/** One version of a model as `GET /models`, `/health` and the repository index show it. */
export interface VersionInfo {
  /** The version folder's number, or the content hash for a flat model folder. */
  readonly version: string;
  /** Hash of the files served (see computeModelVersion); absent until a load succeeds. */
  readonly content_hash?: string;
  readonly state: VersionState;
  /** Why the version is not READY (or why its last reload failed); empty otherwise. */
  readonly reason: string;
}

/** What `GET /models` shows of a model. */
export interface ModelInfo {
  readonly name: string;
  readonly version: string;
  /** The graph served: `fp32` (model.onnx) or `q8` (model_quantized.onnx). */
  readonly dtype: ModelDtype;
  readonly labels: readonly string[];
  readonly problem_type: string;
  readonly max_sequence_length: number;
  readonly provider: string;
  /** Worker threads running it; 0 when it runs on the event loop. */
  readonly workers: number;
  /** Where its runs happen: see ModelPlacement. */
  readonly placement: ModelPlacement;
  readonly default: boolean;
  /** Every version the repository knows of this model, with its state. */
  readonly versions: readonly VersionInfo[];
  /** The Hub repository, revision and commit the files came from; absent for a local folder. */
  readonly source?: ModelOrigin;
}
