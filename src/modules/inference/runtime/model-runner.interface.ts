/** Executes a padded batch of token ids; swappable so tests and other runtimes can plug in. */
export interface ModelRunner {
  /** Execution provider actually in use (`cpu`, `cuda`). */
  readonly provider: string;
  /** Providers that failed before `provider` was chosen, each with its reason. */
  readonly fallbacks: readonly string[];
  /** Worker threads running the sessions; 0 when runs block the event loop. */
  readonly workers: number;
  /** Runs worth having in flight at once (more only wait inside the runner). */
  readonly parallelism: number;
  /**
   * Runs one batch and returns row-major logits `[rows.length, width]`. `typeStarts[i]` is
   * where row i's second sequence starts when it is a text pair (see PackedRows).
   */
  run(
    rows: readonly (readonly number[])[],
    padId: number,
    typeStarts?: readonly (number | undefined)[],
  ): Promise<Logits>;
  release(): Promise<void>;
}

export interface Logits {
  readonly data: Float32Array;
  readonly width: number;
}
