import type { SpanParent } from '../../common/observability/request-trace';

/** One text's classification, before any HTTP shaping. */
export interface Prediction {
  readonly label: string;
  readonly score: number;
  /** Probabilities in label-id order. */
  readonly probabilities: readonly number[];
  /** The model's raw outputs, in label-id order (TEI's `raw_scores`, HF's `function_to_apply`). */
  readonly logits: readonly number[];
  readonly truncated: boolean;
}

/** Hooks the metrics module implements; the inference layer knows nothing of Prometheus. */
export interface InferenceObserver {
  /** `version`: the version folder's number, or the content hash of a flat model folder. */
  modelLoaded(model: string, version: string, seconds: number): void;
  /** A version load succeeded or failed, or a version was unloaded. */
  modelLoadEvent(model: string, result: ModelLoadResult): void;
  /** `traceId`: the batch's trace when it is exported, for the exemplar. */
  batchRun(
    model: string,
    rows: number,
    paddedTokens: number,
    seconds: number,
    traceId?: string,
  ): void;
  queueWait(model: string, seconds: readonly number[]): void;
  queueDepth(model: string, depth: number): void;
  /** `traceId`: the trace (request or batch) the texts were encoded in, when exported. */
  tokenized(seconds: number, traceId?: string): void;
  predicted(model: string, version: string, label: string): void;
}

/** How one `InferenceService.predict` call is run. */
export interface PredictOptions {
  /** Aborted: the texts not yet in a run are dropped and the call rejects (AbortError). */
  readonly signal?: AbortSignal;
  /** The request's span, when it is traced: the parent of `tokenize` and `queue wait`. */
  readonly trace?: SpanParent;
}

export type ModelLoadResult = 'success' | 'failure' | 'unloaded';

export const INFERENCE_OBSERVER = Symbol('sift:inference-observer');

/** Two texts for a sequence-pair model (NLI, re-rankers): `[CLS] text [SEP] pair [SEP]`. */
export interface TextPair {
  readonly text: string;
  readonly pair: string;
}

/** What a model classifies: one text, or a text pair. */
export type TextInput = string | TextPair;
