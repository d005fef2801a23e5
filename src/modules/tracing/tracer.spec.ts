import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { SpanParent } from '../../common/observability/request-trace';
import { inSpan, recordStep, sampledParent } from './tracer';

function provider(sampled = true): {
  exporter: InMemorySpanExporter;
  tracer: TracerProvider;
} {
  const exporter = new InMemorySpanExporter();
  const tracer = new TracerProvider({
    ...(sampled ? {} : { sampler: new AlwaysOffSampler() }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  return { exporter, tracer };
}

describe('explicit span parents', () => {
  it('makes each step a child of the parent it is given, and passes the step on', async () => {
    const { exporter, tracer: sdk } = provider();
    const tracer = sdk.getTracer('test');
    const server = tracer.startSpan('server');
    const parent = sampledParent(tracer, server);
    await inSpan(parent, 'outer', { a: 1 }, async (step) => {
      await Promise.resolve();
      recordStep(step, 'inner', { b: 2 });
      // No async context carries the span: the API's active context stays the root.
      expect(context.active()).toBe(ROOT_CONTEXT);
      expect(trace.getSpan(context.active())).toBeUndefined();
    });
    server.end();
    const spans = exporter.getFinishedSpans();
    const byName = new Map(spans.map((span) => [span.name, span]));
    const outer = byName.get('outer');
    expect(outer?.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(byName.get('inner')?.parentSpanContext?.spanId).toBe(outer?.spanContext().spanId);
    expect(outer?.attributes).toEqual({ a: 1 });
  });

  it('makes no span without a parent and still runs the work', async () => {
    const { exporter } = provider();
    let stepSeen: SpanParent | undefined = undefined;
    const result = await inSpan(
      undefined,
      'nothing',
      () => ({ costly: 1 }),
      (step) => {
        stepSeen = step;
        return Promise.resolve(42);
      },
    );
    recordStep(undefined, 'nothing either', {});
    expect(result).toBe(42);
    expect(stepSeen).toBeUndefined();
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('gives a span the sampler dropped no parent, so its steps make none', () => {
    const { tracer: sdk } = provider(false);
    const tracer = sdk.getTracer('test');
    expect(sampledParent(tracer, tracer.startSpan('dropped'))).toBeUndefined();
  });

  it('ends a failed step with an error status and rethrows', async () => {
    const { exporter, tracer: sdk } = provider();
    const tracer = sdk.getTracer('test');
    const parent = sampledParent(tracer, tracer.startSpan('server'));
    await expect(
      inSpan(parent, 'failing', {}, () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    const [failing] = exporter.getFinishedSpans();
    expect(failing.status).toEqual({ code: 2, message: 'boom' });
  });
});
