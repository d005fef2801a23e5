import type { SpanParent } from '../../../common/observability/request-trace';
import type { TextInput } from '../inference.types';
import type { Logits } from '../runtime/model-runner.interface';

export interface BatcherOptions {
  readonly maxBatchSize: number;
  /** Upper bound on rows × padded length of one ONNX run. */
  readonly maxBatchTokens: number;
  /** Extra wait for companions before a non-full batch is dispatched; 0 dispatches at once. */
  readonly maxBatchDelayMs: number;
  /** Share of a run's padded tokens that may be padding before a dispatch is split. */
  readonly maxPaddingFraction: number;
  readonly concurrency: number;
  readonly maxQueueTexts: number;
}

/** What one ONNX run looked like, for metrics and tests. */
export interface BatchRecord {
  readonly rows: number;
  readonly paddedTokens: number;
  readonly durationMs: number;
  /** The run's batch span, when it is traced: the parent of the run's own spans. */
  readonly trace?: SpanParent;
}

export interface BatcherStats {
  readonly runs: number;
  readonly textsRun: number;
  readonly queueDepth: number;
  readonly inFlight: number;
  /** Exponentially weighted mean duration of recent runs. */
  readonly averageRunMs: number;
}

/** A text already encoded: its ids go to `RunBatch`. */
export interface EncodedBatchInput {
  /** Identity of the text (or text pair) for in-batch de-duplication. */
  readonly key: string;
  readonly ids: readonly number[];
  /** Where a text pair's second sequence starts in `ids`; undefined for a single text. */
  readonly typeStart?: number;
}

/** A text the run encodes itself (`RunTexts`: tokenizing and running in one hop). */
export interface TextBatchInput {
  readonly key: string;
  readonly text: TextInput;
  /** An estimate of its tokens, for the run budgets (the true count is known only later). */
  readonly estimatedTokens: number;
}

export type BatchInput = EncodedBatchInput | TextBatchInput;

/** One text's answer: its logits, and for a text encoded by the run, whether it was cut. */
export interface BatchRow {
  readonly logits: Float32Array;
  readonly truncated?: boolean;
}

/**
 * Runs rows of ids; `typeStarts` as BatchInput.typeStart, one per row. `trace`: the batch's
 * span, when traced, for the run's own span.
 */
export type RunBatch = (
  rows: readonly (readonly number[])[],
  typeStarts: readonly (number | undefined)[],
  trace?: SpanParent,
) => Promise<Logits>;

/** What a `RunTexts` call did, for the caller's rows and the batcher's records. */
export interface TextsRun {
  /** Row-major, one row per text, in the order given. */
  readonly logits: Logits;
  /** 1 where the text was cut to fit the model. */
  readonly truncated: Uint8Array;
  /** Rows × padded length, summed over the ONNX runs it made. */
  readonly paddedTokens: number;
}

/** Encodes and runs texts in one step (somewhere off the event loop); `trace` as in RunBatch. */
export type RunTexts = (texts: readonly TextInput[], trace?: SpanParent) => Promise<TextsRun>;

export interface BatcherHooks {
  onRun?(record: BatchRecord): void;
  /** How long each text of a dispatch waited in the queue. */
  onDispatch?(queueWaitsMs: readonly number[]): void;
  onQueueDepth?(depth: number): void;
}

export interface SubmitOptions {
  readonly timeoutMs: number;
  readonly onTimeout: () => Error;
  readonly onQueueFull: () => Error;
  /**
   * Aborted: the texts not yet in a run leave the queue and the call rejects with an
   * `AbortError` (the caller, such as a stream whose client left, no longer wants them).
   */
  readonly signal?: AbortSignal;
  /** The request's span, when it is traced: the parent of its `queue wait`. */
  readonly trace?: SpanParent;
}
