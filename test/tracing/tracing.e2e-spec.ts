import { SpanKind } from '@opentelemetry/api';
import { TracingService } from '../../src/modules/tracing/tracing.service';
import { answerLines, postNdjson } from '../helpers/ndjson-stream';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

function classify(app: TestApp, text: string, traceparent?: string) {
  return app.inject({
    method: 'POST',
    url: '/classify',
    headers: traceparent === undefined ? {} : { traceparent, tracestate: 'vendor=1' },
    payload: { text },
  });
}

function named(spans: readonly ReceivedSpan[], name: string): ReceivedSpan[] {
  return spans.filter((span) => span.name === name);
}

describe('OpenTelemetry traces', () => {
  let receiver: OtlpReceiver;

  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });

  afterEach(async () => {
    await receiver.close();
  });

  describe('with an OTLP endpoint', () => {
    let app: TestApp;
    // One collector for the app's life; each test flushes, then reads its own trace.
    let collector: OtlpReceiver;

    beforeAll(async () => {
      collector = await startOtlpReceiver();
      app = await startTestApp({
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
        OTEL_TRACES_SAMPLER: 'always_on',
        OTEL_SERVICE_NAME: 'sift-under-test',
        RATE_LIMIT: '1000',
        CACHE_ENABLED: 'true',
      });
    });

    afterAll(async () => {
      await app.close();
      await collector.close();
    });

    it('continues the caller trace through rate limit, cache, queue and a linked batch', async () => {
      const response = await classify(
        app,
        'tracing: a text never classified before',
        `00-${CALLER_TRACE}-${CALLER_SPAN}-01`,
      );
      expect(response.statusCode).toBe(200);
      await app.app.get(TracingService).forceFlush();
      const spans = collector.spans;

      const [server] = named(spans, 'POST /classify');
      expect(server).toMatchObject({
        traceId: CALLER_TRACE,
        parentSpanId: CALLER_SPAN,
        kind: SpanKind.SERVER + 1, // OTLP's enum counts UNSPECIFIED as 0
      });
      expect(server.attributes).toMatchObject({
        'http.route': '/classify',
        'http.response.status_code': 200,
      });
      expect(server.resource['service.name']).toBe('sift-under-test');

      const inRequest = spans.filter((span) => span.traceId === CALLER_TRACE);
      const childrenOfServer = inRequest.filter((span) => span.parentSpanId === server.spanId);
      expect(childrenOfServer.map((span) => span.name)).toEqual(
        expect.arrayContaining(['rate limit check', 'cache lookup', 'queue wait']),
      );
      const [lookup] = named(childrenOfServer, 'cache lookup');
      expect(lookup.attributes).toMatchObject({
        'sift.cache.tier': 'memory',
        'sift.cache.misses': 1,
      });

      const [queued] = named(childrenOfServer, 'queue wait');
      const batch = spans.find((span) => span.spanId === queued.attributes['sift.batch.span_id']);
      expect(batch?.name).toBe('batch');
      expect(batch?.traceId).toBe(queued.attributes['sift.batch.trace_id']);
      expect(batch?.links).toContainEqual({ traceId: CALLER_TRACE, spanId: queued.spanId });
      expect(queued.links).toContainEqual({ traceId: batch?.traceId, spanId: batch?.spanId });

      const runs = spans.filter(
        (span) => span.traceId === batch?.traceId && span.parentSpanId === batch.spanId,
      );
      expect(runs.length).toBeGreaterThan(0);
      expect(runs[0].name).toMatch(/onnx run$/);
      expect(runs[0].attributes).toMatchObject({ 'sift.model': 'spam-en', 'sift.batch.rows': 1 });
      expect(runs[0].attributes['sift.batch.padded_tokens']).toEqual(expect.any(Number));
    });

    it('starts a new trace when the caller sends no traceparent', async () => {
      const response = await classify(app, 'tracing: no caller context here');
      expect(response.statusCode).toBe(200);
      await app.app.get(TracingService).forceFlush();
      const servers = named(collector.spans, 'POST /classify');
      const fresh = servers.filter((span) => span.traceId !== CALLER_TRACE);
      expect(fresh).toHaveLength(1);
      expect(fresh[0].parentSpanId).toBe('');
    });
  });

  it('ends the span of a request whose client left, once, marked failed', async () => {
    const app = await startTestApp(
      { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_TRACES_SAMPLER: 'always_on' },
      { listen: true },
    );
    try {
      let leave = (): void => undefined;
      const left = new Promise<void>((resolve) => (leave = resolve));
      // One line, then the body stays open until the client has read its answer and leaves.
      async function* oneLineThenWait(): AsyncGenerator<string> {
        yield JSON.stringify({ id: 1, text: 'tracing: a client that leaves' });
        await left;
      }
      const exchange = postNdjson(app.baseUrl ?? '', '/classify/stream', oneLineThenWait());
      const response = await exchange.response;
      for await (const answer of answerLines(response)) {
        expect(answer).toMatchObject({ id: 1 });
        break;
      }
      exchange.request.destroy();
      leave();
      const tracing = app.app.get(TracingService);
      // The server learns of the disconnect asynchronously: flush until its span arrives.
      let servers = named(receiver.spans, 'POST /classify/stream');
      for (let tries = 0; servers.length === 0 && tries < 200; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        await tracing.forceFlush();
        servers = named(receiver.spans, 'POST /classify/stream');
      }
      expect(servers).toHaveLength(1);
      expect(servers[0].statusCode).toBe(2); // OTLP's STATUS_CODE_ERROR
      expect(servers[0].attributes['http.route']).toBe('/classify/stream');
      // Its steps still belong to it.
      const steps = receiver.spans.filter((span) => span.parentSpanId === servers[0].spanId);
      expect(steps.map((span) => span.name)).toContain('queue wait');
    } finally {
      await app.close();
    }
  });

  it('exports the same trace as OTLP/JSON with OTEL_EXPORTER_OTLP_PROTOCOL=http/json', async () => {
    const app = await startTestApp({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    });
    try {
      const response = await classify(
        app,
        'tracing as json',
        `00-${CALLER_TRACE}-${CALLER_SPAN}-01`,
      );
      expect(response.statusCode).toBe(200);
      await app.app.get(TracingService).forceFlush();
    } finally {
      await app.close();
    }
    const [server] = named(receiver.spans, 'POST /classify');
    expect(server).toMatchObject({ traceId: CALLER_TRACE, parentSpanId: CALLER_SPAN });
    expect(server.resource['service.name']).toBe('sift');
    expect(named(receiver.spans, 'batch')).toHaveLength(1);
  });

  it('makes no span at all for a request whose caller did not sample it', async () => {
    const app = await startTestApp({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
    });
    try {
      const unsampled = `00-${CALLER_TRACE}-${CALLER_SPAN}-00`;
      expect((await classify(app, 'tracing: not sampled', unsampled)).statusCode).toBe(200);
      await app.app.get(TracingService).forceFlush();
    } finally {
      await app.close();
    }
    // Not its server span, and no step of it as a root span of its own, nor a batch.
    expect(receiver.spans).toEqual([]);
  });

  it('exports nothing and registers no hook without an endpoint', async () => {
    const app = await startTestApp({ OTEL_SERVICE_NAME: 'sift-off' });
    try {
      const response = await classify(app, 'tracing off', `00-${CALLER_TRACE}-${CALLER_SPAN}-01`);
      expect(response.statusCode).toBe(200);
      expect(app.app.get(TracingService).tracer).toBeUndefined();
    } finally {
      await app.close();
    }
    expect(receiver.requests).toBe(0);
  });

  it('exports nothing when OTEL_SDK_DISABLED is true, endpoint or not', async () => {
    const app = await startTestApp({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_SDK_DISABLED: 'true',
    });
    try {
      expect((await classify(app, 'tracing disabled')).statusCode).toBe(200);
      await app.app.get(TracingService).forceFlush();
    } finally {
      await app.close();
    }
    expect(receiver.requests).toBe(0);
  });

  it('answers requests when the collector is unreachable, and counts the spans lost', async () => {
    const unreachable = receiver.endpoint;
    await receiver.close();
    receiver = await startOtlpReceiver();
    const app = await startTestApp({
      OTEL_EXPORTER_OTLP_ENDPOINT: unreachable,
      OTEL_TRACES_SAMPLER: 'always_on',
      // The exporter retries a refused connection for seconds; the processor gives up first
      // and counts the batch lost (what happens to it, not how long, is checked).
      OTEL_BSP_EXPORT_TIMEOUT: '1000',
    });
    try {
      expect((await classify(app, 'collector down')).statusCode).toBe(200);
      await app.app.get(TracingService).forceFlush();
      const metrics = await app.inject({ method: 'GET', url: '/metrics' });
      const dropped = /nlp_trace_spans_dropped_total\{reason="export_failed"\} (\d+)/.exec(
        metrics.body,
      );
      expect(Number(dropped?.[1])).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });
});
