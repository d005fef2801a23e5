import type { QueuedTrace } from '../../tracing/batch-tracing';
import type { TextInput } from '../inference.types';
import type { BatchRow } from './batcher.types';

/** One text waiting for (or in) a run; the same object may serve several identical texts. */
export interface QueuedText {
  readonly key: string;
  readonly ids?: readonly number[];
  readonly typeStart?: number;
  readonly text?: TextInput;
  /** Tokens for the run budgets: the ids' count, or an estimate for a text not encoded yet. */
  readonly length: number;
  readonly enqueuedAt: number;
  readonly request: PendingRequest;
  readonly slot: number;
  started: boolean;
}

/** A `submit` call's texts and how to settle it. */
export interface PendingRequest {
  entries: readonly QueuedText[];
  readonly results: (BatchRow | undefined)[];
  remaining: number;
  settled: boolean;
  timer: NodeJS.Timeout | undefined;
  /** Removes its abort listener, if it has a signal: called when it settles. */
  detach: (() => void) | undefined;
  /** Its `queue wait` span while tracing is on: the batch that runs it links to it. */
  readonly trace: QueuedTrace | undefined;
  resolve(rows: BatchRow[]): void;
  reject(error: Error): void;
}

/** The budgets one run's texts must fit. */
export interface RunBudget {
  readonly maxBatchSize: number;
  /** Upper bound on distinct rows × the longest row's tokens. */
  readonly maxBatchTokens: number;
}

/**
 * The texts waiting for a run, oldest first. Entries leave by being marked `started` (taken
 * into a run, or dropped with their failed request) rather than by being spliced out, so
 * taking stays cheap however long the queue grows.
 */
export class BatchQueue {
  private readonly entries: QueuedText[] = [];
  private head = 0;
  private waiting = 0;

  /** Texts not yet taken into a run. */
  get size(): number {
    return this.waiting;
  }

  push(entries: readonly QueuedText[]): void {
    this.entries.push(...entries);
    this.waiting += entries.length;
  }

  /** The oldest text not taken yet. */
  peekOldest(): QueuedText | undefined {
    for (let index = this.head; index < this.entries.length; index++) {
      if (!this.entries[index].started) return this.entries[index];
    }
    return undefined;
  }

  /** FIFO, within the row and padded-token budgets; identical keys share one row. */
  take({ maxBatchSize, maxBatchTokens }: RunBudget): QueuedText[] {
    const taken: QueuedText[] = [];
    const rowKeys = new Set<string>();
    let longest = 0;
    for (let index = this.head; index < this.entries.length; index++) {
      const entry = this.entries[index];
      if (entry.started) continue;
      const isNewRow = !rowKeys.has(entry.key);
      if (isNewRow) {
        const nextLongest = Math.max(longest, entry.length);
        const fits =
          rowKeys.size < maxBatchSize && nextLongest * (rowKeys.size + 1) <= maxBatchTokens;
        if (!fits && rowKeys.size > 0) break;
        rowKeys.add(entry.key);
        longest = nextLongest;
      }
      entry.started = true;
      taken.push(entry);
    }
    this.advanceHead();
    this.waiting -= taken.length;
    return taken;
  }

  /** Takes a settled request's texts that no run has taken out of the queue; returns how many. */
  drop(request: PendingRequest): number {
    let dropped = 0;
    for (const entry of request.entries) {
      if (!entry.started) {
        entry.started = true;
        dropped++;
      }
    }
    this.waiting -= dropped;
    return dropped;
  }

  private advanceHead(): void {
    while (this.head < this.entries.length && this.entries[this.head].started) this.head++;
    // Compact occasionally so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
  }
}
