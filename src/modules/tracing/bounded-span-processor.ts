import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';

/** Why finished spans were never delivered. */
export type SpanDropReason = 'queue_full' | 'export_failed';

export interface BoundedSpanProcessorOptions {
  /** OTEL_BSP_MAX_QUEUE_SIZE: spans held; past it new spans are dropped, never waited for. */
  readonly maxQueueSize: number;
  /** OTEL_BSP_MAX_EXPORT_BATCH_SIZE: spans per export call. */
  readonly maxExportBatchSize: number;
  /** OTEL_BSP_SCHEDULE_DELAY: how long a partial batch waits before it is sent. */
  readonly scheduleDelayMs: number;
  /** OTEL_BSP_EXPORT_TIMEOUT: an export taking longer counts as failed. */
  readonly exportTimeoutMs: number;
  readonly onDrop: (reason: SpanDropReason, spans: number) => void;
}

/**
 * The OpenTelemetry batch span processor's contract (OTEL_BSP_*), written here so that every
 * span not delivered is counted (the SDK's processor only logs its drops). The request path
 * only pushes to an array: export runs on a timer, one call at a time, and never blocks it.
 */
export class BoundedSpanProcessor implements SpanProcessor {
  private queue: ReadableSpan[] = [];
  private timer: NodeJS.Timeout | undefined;
  private exporting: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly exporter: SpanExporter,
    private readonly options: BoundedSpanProcessorOptions,
  ) {}

  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if (this.closed || (span.spanContext().traceFlags & 1) === 0) return;
    if (this.queue.length >= this.options.maxQueueSize) {
      this.options.onDrop('queue_full', 1);
      return;
    }
    this.queue.push(span);
    if (this.queue.length >= this.options.maxExportBatchSize) this.kick();
    else this.schedule();
  }

  /** Exports everything queued now, batch by batch; resolves when the last batch is settled. */
  async forceFlush(): Promise<void> {
    this.clearTimer();
    if (this.exporting !== undefined) await this.exporting;
    while (this.queue.length > 0) await this.exportBatch();
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
    this.closed = true;
    await this.exporter.shutdown();
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, this.options.scheduleDelayMs);
    // A pending export never keeps the process alive; shutdown flushes what is left.
    this.timer.unref();
  }

  private clearTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Starts an export unless one is running; what arrives meanwhile waits for the next. */
  private kick(): void {
    if (this.exporting !== undefined) return;
    this.clearTimer();
    this.exporting = this.exportBatch().finally(() => {
      this.exporting = undefined;
      if (this.queue.length >= this.options.maxExportBatchSize) this.kick();
      else if (this.queue.length > 0) this.schedule();
    });
  }

  private exportBatch(): Promise<void> {
    const batch = this.queue.splice(0, this.options.maxExportBatchSize);
    if (batch.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let settled = false;
      const settle = (delivered: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timeout);
        if (!delivered) this.options.onDrop('export_failed', batch.length);
        resolve();
      };
      const timeout = setTimeout(() => settle(false), this.options.exportTimeoutMs);
      timeout.unref();
      try {
        this.exporter.export(batch, (result: ExportResult) =>
          settle(result.code === ExportResultCode.SUCCESS),
        );
      } catch {
        // An exporter that throws loses this batch like one that reports failure: counted.
        settle(false);
      }
    });
  }
}
