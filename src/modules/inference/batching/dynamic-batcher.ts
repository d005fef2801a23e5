import type { SpanParent } from '../../../common/observability/request-trace';
import type { TextInput } from '../inference.types';
import type { Logits } from '../runtime/model-runner.interface';
import type {
  BatchInput,
  BatchRow,
  BatcherHooks,
  BatcherOptions,
  BatcherStats,
  RunBatch,
  RunTexts,
  SubmitOptions,
} from './batcher.types';
import { BatchQueue, type PendingRequest, type QueuedText } from './batch-queue';
import { groupBySimilarLength } from './length-grouping';
import { traceBatch, traceDequeued, traceEnqueue } from '../../tracing/batch-tracing';

/**
 * Continuous batching in the style of text-embeddings-inference: an idle model takes a text
 * at once; while a run is in flight, arrivals queue up and the next run takes as many as fit
 * the size and padded-token budgets. Results come back as logits rows, in submission order.
 */
export class DynamicBatcher {
  private readonly queue = new BatchQueue();
  private inFlight = 0;
  private runs = 0;
  private textsRun = 0;
  private averageRunMs = 0;
  private delayTimer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];

  /**
   * `runTexts` takes the texts queued without ids (TextBatchInput), a dispatch's worth in one
   * call; without it only encoded texts may be submitted.
   */
  constructor(
    private readonly options: BatcherOptions,
    private readonly runBatch: RunBatch,
    private readonly hooks: BatcherHooks = {},
    private readonly runTexts?: RunTexts,
  ) {}

  /** Whether texts may be submitted without ids. */
  get encodesTexts(): boolean {
    return this.runTexts !== undefined;
  }

  submit(inputs: readonly BatchInput[], options: SubmitOptions): Promise<BatchRow[]> {
    const { signal } = options;
    if (signal?.aborted === true) return Promise.reject(abortError(signal));
    if (this.queue.size + inputs.length > this.options.maxQueueTexts) {
      return Promise.reject(options.onQueueFull());
    }
    if (this.runTexts === undefined && inputs.some((input) => !('ids' in input))) {
      return Promise.reject(new Error('This batcher takes encoded texts only'));
    }
    return new Promise<BatchRow[]>((resolve, reject) => {
      const request: PendingRequest = {
        entries: [],
        results: new Array<BatchRow | undefined>(inputs.length),
        remaining: inputs.length,
        settled: false,
        timer: undefined,
        detach: undefined,
        trace: traceEnqueue(options.trace, inputs.length),
        resolve,
        reject,
      };
      if (inputs.length === 0) {
        resolve([]);
        return;
      }
      const now = performance.now();
      const entries = inputs.map((input, slot): QueuedText => ({
        ...('ids' in input
          ? { ids: input.ids, typeStart: input.typeStart, length: input.ids.length }
          : { text: input.text, length: input.estimatedTokens }),
        key: input.key,
        enqueuedAt: now,
        request,
        slot,
        started: false,
      }));
      request.entries = entries;
      request.timer = setTimeout(() => this.fail(request, options.onTimeout()), options.timeoutMs);
      if (signal !== undefined) {
        const onAbort = (): void => this.fail(request, abortError(signal));
        signal.addEventListener('abort', onAbort, { once: true });
        request.detach = () => signal.removeEventListener('abort', onAbort);
      }
      this.queue.push(entries);
      this.hooks.onQueueDepth?.(this.queue.size);
      this.pump();
    });
  }

  /** Padded-token budget of one run (TEI's `/info` reports it as `max_batch_tokens`). */
  get maxBatchTokens(): number {
    return this.options.maxBatchTokens;
  }

  stats(): BatcherStats {
    return {
      runs: this.runs,
      textsRun: this.textsRun,
      queueDepth: this.queue.size,
      inFlight: this.inFlight,
      averageRunMs: this.averageRunMs,
    };
  }

  /** How long the texts already queued should take to clear, from recent run times. */
  secondsToClear(): number {
    const runsAhead = Math.ceil(this.queue.size / this.options.maxBatchSize);
    return Math.max(1, Math.ceil((runsAhead * this.averageRunMs) / 1000));
  }

  /** Resolves once nothing is queued or running. */
  whenIdle(): Promise<void> {
    if (this.queue.size === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.inFlight < this.options.concurrency && this.queue.size > 0) {
      if (this.shouldWaitForCompanions()) return;
      const batch = this.queue.take(this.options);
      this.hooks.onQueueDepth?.(this.queue.size);
      if (batch.length === 0) break;
      this.inFlight++;
      void this.execute(batch).finally(() => {
        this.inFlight--;
        this.pump();
        this.notifyIfIdle();
      });
    }
  }

  private shouldWaitForCompanions(): boolean {
    const { maxBatchDelayMs, maxBatchSize } = this.options;
    if (maxBatchDelayMs <= 0 || this.queue.size >= maxBatchSize) return false;
    const oldest = this.queue.peekOldest();
    if (oldest === undefined) return false;
    const waited = performance.now() - oldest.enqueuedAt;
    if (waited >= maxBatchDelayMs) return false;
    if (this.delayTimer === undefined) {
      this.delayTimer = setTimeout(() => {
        this.delayTimer = undefined;
        this.pump();
      }, maxBatchDelayMs - waited);
    }
    return true;
  }

  private async execute(batch: readonly QueuedText[]): Promise<void> {
    const rowsByKey = new Map<string, QueuedText>();
    for (const entry of batch) if (!rowsByKey.has(entry.key)) rowsByKey.set(entry.key, entry);
    const startedAt = performance.now();
    this.hooks.onDispatch?.(batch.map((entry) => startedAt - entry.enqueuedAt));

    const encoded: QueuedText[] = [];
    const unencoded: QueuedText[] = [];
    for (const entry of rowsByKey.values())
      (entry.ids === undefined ? unencoded : encoded).push(entry);
    const results = new Map<string, BatchRow>();
    const span = traceBatch(batch, (entry) => entry.request.trace, rowsByKey.size);
    const trace = span?.parent;
    try {
      await Promise.all([
        this.runEncoded(encoded, results, trace),
        this.runUnencoded(unencoded, results, trace),
      ]);
      span?.end();
    } catch (error) {
      span?.end(error);
      for (const entry of batch) this.fail(entry.request, error as Error);
      return;
    }
    for (const entry of batch) {
      const row = results.get(entry.key);
      if (row !== undefined) this.deliver(entry, row);
    }
  }

  /** Encoded texts, in runs of similar length. */
  private async runEncoded(
    entries: QueuedText[],
    results: Map<string, BatchRow>,
    trace: SpanParent | undefined,
  ): Promise<void> {
    for (const group of groupBySimilarLength(
      entries,
      (entry) => entry.length,
      this.options.maxPaddingFraction,
    )) {
      const rows = group.map((entry) => entry.ids ?? []);
      const groupStart = performance.now();
      const logits = await this.runBatch(
        rows,
        group.map((entry) => entry.typeStart),
        trace,
      );
      const longest = rows.reduce((max, row) => Math.max(max, row.length), 0);
      group.forEach((entry, row) => {
        results.set(entry.key, { logits: rowOf(logits, row) });
      });
      this.record(rows.length, longest * rows.length, performance.now() - groupStart, trace);
    }
  }

  /** Texts not encoded yet: one RunTexts call, which groups them by length itself. */
  private async runUnencoded(
    entries: QueuedText[],
    results: Map<string, BatchRow>,
    trace: SpanParent | undefined,
  ): Promise<void> {
    if (entries.length === 0 || this.runTexts === undefined) return;
    const started = performance.now();
    const run = await this.runTexts(
      entries.map((entry) => entry.text as TextInput),
      trace,
    );
    entries.forEach((entry, row) => {
      results.set(entry.key, {
        logits: rowOf(run.logits, row),
        truncated: run.truncated[row] === 1,
      });
    });
    this.record(entries.length, run.paddedTokens, performance.now() - started, trace);
  }

  private record(
    rows: number,
    paddedTokens: number,
    durationMs: number,
    trace: SpanParent | undefined,
  ): void {
    this.averageRunMs = this.runs === 0 ? durationMs : 0.8 * this.averageRunMs + 0.2 * durationMs;
    this.runs++;
    this.textsRun += rows;
    this.hooks.onRun?.({ rows, paddedTokens, durationMs, trace });
  }

  private deliver(entry: QueuedText, row: BatchRow): void {
    const request = entry.request;
    if (request.settled) return;
    request.results[entry.slot] = row;
    request.remaining--;
    if (request.remaining === 0) {
      request.settled = true;
      clearTimeout(request.timer);
      request.detach?.();
      request.resolve(request.results as BatchRow[]);
    }
  }

  /** Settles a request with an error; its texts not yet in a run leave the queue. */
  private fail(request: PendingRequest, error: Error): void {
    if (request.settled) return;
    request.settled = true;
    clearTimeout(request.timer);
    request.detach?.();
    traceDequeued(request.trace, error);
    if (this.queue.drop(request) > 0) this.hooks.onQueueDepth?.(this.queue.size);
    if (this.queue.size === 0 && this.delayTimer !== undefined) {
      // Nothing left to wait for companions of.
      clearTimeout(this.delayTimer);
      this.delayTimer = undefined;
    }
    request.reject(error);
    this.notifyIfIdle();
  }

  private notifyIfIdle(): void {
    if (this.queue.size !== 0 || this.inFlight !== 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** The signal's reason when it is an error (the default is a DOMException named AbortError). */
function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error
    ? reason
    : new DOMException('The texts were cancelled', 'AbortError');
}

function rowOf(logits: Logits, row: number): Float32Array {
  return logits.data.slice(row * logits.width, (row + 1) * logits.width);
}
