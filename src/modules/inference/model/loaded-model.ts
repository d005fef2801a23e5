import type { DynamicBatcher } from '../batching/dynamic-batcher';
import type { Preprocessor } from '../preprocessing/preprocessor.interface';
import type { ModelRunner } from '../runtime/model-runner.interface';
import type { ModelConfig } from './model-config';

/** A model ready to serve: its files, preprocessing, runtime and queue. */
export interface LoadedModel {
  readonly name: string;
  readonly dir: string;
  readonly version: string;
  readonly config: ModelConfig;
  /** Effective maximum sequence length: min(MAX_SEQ_LEN, the model's own limit). */
  readonly maxSequenceLength: number;
  readonly preprocessor: Preprocessor;
  readonly runner: ModelRunner;
  readonly batcher: DynamicBatcher;
  readonly loadTimeSeconds: number;
}

/** What `GET /models` shows of a model. */
export interface ModelInfo {
  readonly name: string;
  readonly version: string;
  readonly labels: readonly string[];
  readonly problem_type: string;
  readonly max_sequence_length: number;
  readonly provider: string;
  readonly default: boolean;
}
