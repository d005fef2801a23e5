import { traceIdOf, type SpanParent } from '../../../common/observability/request-trace';
import type { RunTexts, TextsRun } from '../batching/batcher.types';
import type { InferenceObserver, TextInput } from '../inference.types';
import type { PreparedModel } from '../model/model-loader';
import type { TextRunnerFactory } from '../repository/version-loader';
import type { OnnxSessionOptions } from './onnx-graph';
import type { EncodingModel, RunningModel, TokenizerPool } from './tokenizer-pool';
import { encodeInline } from './tokenizer-protocol';

/**
 * Light graphs encoded and run in the tokenizer threads when requests overlap: one hop takes
 * both off the event loop, which then keeps only HTTP and batching. (A lone request still
 * runs on the event loop, where a hop would only add latency: InferenceService decides.)
 * The batcher hands each dispatch of texts to one thread, and keeps its queue bound,
 * de-duplication, timeouts, drain and metrics as for any other run.
 */
export class ThreadTextRunners implements TextRunnerFactory {
  /** Each light graph's version as the threads know it. */
  private readonly running = new WeakMap<PreparedModel, RunningModel>();

  constructor(
    private readonly tokenizers: TokenizerPool,
    private readonly maxPaddingFraction: number,
    private readonly observer: InferenceObserver | undefined,
  ) {}

  get parallelism(): number {
    return this.tokenizers.size;
  }

  create(model: PreparedModel, session: OnnxSessionOptions): RunTexts | undefined {
    if (this.tokenizers.size === 0) return undefined;
    const running: RunningModel = {
      name: model.name,
      dir: model.dir,
      version: model.version,
      maxSequenceLength: model.maxSequenceLength,
      preprocessor: model.preprocessor,
      run: {
        graphPath: model.graphPath,
        padId: model.preprocessor.padId,
        maxPaddingFraction: this.maxPaddingFraction,
        session,
      },
    };
    this.running.set(model, running);
    return (texts, trace) => this.run(model, running, texts, trace);
  }

  /** The version's sessions are released: the threads release theirs. */
  forget(model: PreparedModel): void {
    const running = this.running.get(model);
    if (running !== undefined) this.tokenizers.forget(running);
  }

  /** What the threads should load ahead of the first request for `model`. */
  warmTarget(model: PreparedModel): EncodingModel | RunningModel {
    return this.running.get(model) ?? model;
  }

  private async run(
    model: PreparedModel,
    running: RunningModel,
    texts: readonly TextInput[],
    trace: SpanParent | undefined,
  ): Promise<TextsRun> {
    try {
      const batch = await this.tokenizers.classify(running, texts);
      this.observer?.tokenized(batch.encodeMs / 1000, traceIdOf(trace));
      return {
        logits: { data: batch.logits, width: batch.width },
        truncated: batch.truncated,
        paddedTokens: batch.paddedTokens,
      };
    } catch (error) {
      this.tokenizers.reportFailure(running, error);
      // Not lost: encoded and run here, as they would be without threads.
      const encoded = await encodeInline(model.preprocessor, texts);
      const rows = encoded.map((item) => item.ids);
      const logits = await model.runner.run(
        rows,
        model.preprocessor.padId,
        encoded.map((item) => item.typeStart),
      );
      const longest = rows.reduce((max, row) => Math.max(max, row.length), 0);
      return {
        logits,
        truncated: Uint8Array.from(encoded, (item) => (item.truncated ? 1 : 0)),
        paddedTokens: longest * rows.length,
      };
    }
  }
}

/**
 * A text's tokens for the batcher's budgets before it is encoded: about four characters per
 * token for English subwords, plus the special tokens, capped by the model's length.
 */
export function estimateTokens(text: TextInput, maxLength: number): number {
  const chars = typeof text === 'string' ? text.length : text.text.length + text.pair.length;
  return Math.min(maxLength, Math.ceil(chars / 4) + 2);
}
