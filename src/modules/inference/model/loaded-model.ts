import type { ModelDtype } from '../../../config';
import type { DynamicBatcher } from '../batching/dynamic-batcher';
import type { PreparedModel } from './model-loader';

/** A model ready to serve: its files, preprocessing and runtime (see PreparedModel), and queue. */
export interface LoadedModel extends PreparedModel {
  readonly batcher: DynamicBatcher;
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
}
