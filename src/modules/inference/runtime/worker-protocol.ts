import type { OnnxSessionOptions } from './onnx-graph';

// Messages between WorkerPoolRunner (event-loop thread) and onnx-worker (one per session).

/** What a worker is started with: it opens this graph at once. */
export interface WorkerSetup {
  readonly modelDir: string;
  readonly graphPath: string;
  readonly options: OnnxSessionOptions;
  /** A second session of the same graph for runs that have the machine to themselves. */
  readonly soloOptions?: OnnxSessionOptions;
}

export type ToWorker =
  | {
      readonly type: 'run';
      readonly id: number;
      readonly ids: Int32Array;
      readonly lengths: Int32Array;
      /** See PackedRows.typeStarts. */
      readonly typeStarts?: Int32Array;
      readonly padId: number;
      /** Run on the solo session (only sent to a worker that has one). */
      readonly solo: boolean;
    }
  | { readonly type: 'release' };

/** A failure as it can cross threads; `file` and `problem` are set for ModelLoadError. */
export interface WorkerFailure {
  readonly message: string;
  readonly file?: string;
  readonly problem?: string;
}

export type FromWorker =
  | { readonly type: 'ready'; readonly provider: string; readonly fallbacks: readonly string[] }
  | { readonly type: 'load-failed'; readonly failure: WorkerFailure }
  | {
      readonly type: 'result';
      readonly id: number;
      readonly data: Float32Array;
      readonly width: number;
    }
  | { readonly type: 'failed'; readonly id: number; readonly failure: WorkerFailure }
  | { readonly type: 'released' };
