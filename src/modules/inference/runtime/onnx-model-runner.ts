import type { Logits, ModelRunner } from './model-runner.interface';
import { OnnxGraph, type OnnxSessionOptions } from './onnx-graph';
import { packRows } from './packed-rows';

/**
 * Runs the session on the calling (event-loop) thread: `INFERENCE_WORKERS=0`. Each run blocks
 * HTTP handling for its duration, so it suits tiny models and tests of the runtime itself.
 */
export class OnnxModelRunner implements ModelRunner {
  readonly workers = 0;
  /** Runs on one thread are one at a time anyway. */
  readonly parallelism = 1;

  private constructor(private readonly graph: OnnxGraph) {}

  static async create(
    modelDir: string,
    graphPath: string,
    options: OnnxSessionOptions,
  ): Promise<OnnxModelRunner> {
    return new OnnxModelRunner(await OnnxGraph.open(modelDir, graphPath, options));
  }

  get provider(): string {
    return this.graph.provider;
  }

  get fallbacks(): readonly string[] {
    return this.graph.fallbacks;
  }

  run(
    rows: readonly (readonly number[])[],
    padId: number,
    typeStarts?: readonly (number | undefined)[],
  ): Promise<Logits> {
    return this.graph.run(packRows(rows, typeStarts), padId);
  }

  release(): Promise<void> {
    return this.graph.release();
  }
}
