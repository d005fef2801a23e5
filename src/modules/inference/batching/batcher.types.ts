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
}

export interface BatcherStats {
  readonly runs: number;
  readonly textsRun: number;
  readonly queueDepth: number;
  readonly inFlight: number;
  /** Exponentially weighted mean duration of recent runs. */
  readonly averageRunMs: number;
}
