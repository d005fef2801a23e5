import type { ModelDtype } from '../../../config';
import type { DynamicBatcher } from '../batching/dynamic-batcher';
import type { PreparedModel } from './model-loader';

/** A model ready to serve: its files, preprocessing and runtime (see PreparedModel), and queue. */
export interface LoadedModel extends PreparedModel {
  readonly batcher: DynamicBatcher;
  /** sift.json's default_top_k; undefined falls back to DEFAULT_TOP_K's rule. */
  readonly defaultTopK: number | undefined;
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
  readonly default: boolean;
  /** Every version the repository knows of this model, with its state. */
  readonly versions: readonly VersionInfo[];
}
