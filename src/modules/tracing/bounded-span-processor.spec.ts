import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { BoundedSpanProcessor, type SpanDropReason } from './bounded-span-processor';

/** An exporter that records batches and answers each with `code`. */
function fakeExporter(code: ExportResultCode = ExportResultCode.SUCCESS) {
  const batches: ReadableSpan[][] = [];
  const exporter: SpanExporter = {
    export: (spans: ReadableSpan[], done: (result: ExportResult) => void) => {
      batches.push(spans);
      done({ code });
    },
    shutdown: () => Promise.resolve(),
  };
  return { exporter, batches };
}

function sampledSpan(): ReadableSpan {
  return { spanContext: () => ({ traceId: 'a', spanId: 'b', traceFlags: 1 }) } as ReadableSpan;
}

function createSut(exporter: SpanExporter, maxQueueSize = 4, maxExportBatchSize = 2) {
  const drops: Array<[SpanDropReason, number]> = [];
  const sut = new BoundedSpanProcessor(exporter, {
    maxQueueSize,
    maxExportBatchSize,
    // Long enough never to fire during a test: every export here comes from a full batch or a flush.
    scheduleDelayMs: 3_600_000,
    exportTimeoutMs: 3_600_000,
    onDrop: (reason, spans) => drops.push([reason, spans]),
  });
  return { sut, drops };
}

describe(BoundedSpanProcessor.name, () => {
  it('exports every queued span in batches of the configured size on flush', async () => {
    const { exporter, batches } = fakeExporter();
    const { sut, drops } = createSut(exporter, 10, 2);
    for (let index = 0; index < 5; index++) sut.onEnd(sampledSpan());
    await sut.forceFlush();
    expect(batches.map((batch) => batch.length)).toEqual([2, 2, 1]);
    expect(drops).toEqual([]);
  });

  it('drops and counts spans past the queue size instead of waiting', () => {
    // An exporter that never answers keeps everything queued.
    const exporter: SpanExporter = { export: () => undefined, shutdown: () => Promise.resolve() };
    const { sut, drops } = createSut(exporter, 3, 10);
    for (let index = 0; index < 5; index++) sut.onEnd(sampledSpan());
    expect(drops).toEqual([
      ['queue_full', 1],
      ['queue_full', 1],
    ]);
  });

  it('counts the spans of a failed export as dropped', async () => {
    const { exporter } = fakeExporter(ExportResultCode.FAILED);
    const { sut, drops } = createSut(exporter, 10, 5);
    for (let index = 0; index < 3; index++) sut.onEnd(sampledSpan());
    await sut.forceFlush();
    expect(drops).toEqual([['export_failed', 3]]);
  });

  it('ignores spans that were not sampled', async () => {
    const { exporter, batches } = fakeExporter();
    const { sut } = createSut(exporter);
    sut.onEnd({
      spanContext: () => ({ traceId: 'a', spanId: 'b', traceFlags: 0 }),
    } as ReadableSpan);
    await sut.forceFlush();
    expect(batches).toEqual([]);
  });
});
