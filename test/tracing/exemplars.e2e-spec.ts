import { TracingService } from '../../src/modules/tracing/tracing.service';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { promtoolCheck } from '../observability/exposition';
import { send } from '../observability/http';
import { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver';

const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const OPENMETRICS = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** The trace ids on the bucket lines of `histogram` whose labels contain `labels`. */
function exemplarsOf(exposition: string, histogram: string, labels = ''): string[] {
  const line = new RegExp(
    `^${histogram}_bucket\\{[^}]*${labels}[^}]*\\} \\d+ # \\{trace_id="([0-9a-f]{32})"\\} [0-9.e-]+ \\d+(\\.\\d+)?$`,
  );
  return exposition
    .split('\n')
    .map((text) => line.exec(text)?.[1])
    .filter((traceId) => traceId !== undefined);
}

describe('Trace exemplars on GET /metrics', () => {
  let collector: OtlpReceiver;
  let sut: TestApp;

  beforeAll(async () => {
    collector = await startOtlpReceiver();
    sut = await startTestApp(
      { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_TRACES_SAMPLER: 'always_on' },
      { listen: true },
    );
  });

  afterAll(async () => {
    await sut.close();
    await collector.close();
  });

  it('carries the trace ids of the exported spans on the latency buckets, in OpenMetrics', async () => {
    const classified = await send(sut, '/classify', {
      json: { text: 'exemplar: a text of its own' },
      headers: { traceparent: `00-${CALLER_TRACE}-b7ad6b7169203331-01` },
    });
    expect(classified.status).toBe(200);
    await sut.app.get(TracingService).forceFlush();
    const server = collector.spans.find((span) => span.name === 'POST /classify');
    expect(server?.traceId).toBe(CALLER_TRACE);

    const scrape = await send(sut, '/metrics', {
      headers: { accept: 'application/openmetrics-text; version=1.0.0' },
    });
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toBe(OPENMETRICS);
    expect(scrape.text.endsWith('\n# EOF\n')).toBe(true);
    expect(
      exemplarsOf(scrape.text, 'nlp_request_duration_seconds', 'endpoint="/classify"'),
    ).toEqual([CALLER_TRACE]);
    // Tokenizing ran in the request's trace; the ONNX run in its batch's trace of its own.
    expect(exemplarsOf(scrape.text, 'nlp_tokenize_duration_seconds')).toEqual([CALLER_TRACE]);
    const batch = collector.spans.find((span) => span.name === 'batch');
    expect(batch).toBeDefined();
    expect(exemplarsOf(scrape.text, 'nlp_inference_duration_seconds')).toEqual([batch?.traceId]);
    // OpenMetrics counters: the family has no _total, the sample does.
    expect(scrape.text).toContain('# TYPE nlp_requests counter\n');
    expect(scrape.text).toMatch(/^nlp_requests_total\{endpoint="\/classify",status="200"\} 1$/m);
  });

  it('serves the classic format unchanged by default, after an OpenMetrics scrape too', async () => {
    await send(sut, '/metrics', { headers: { accept: 'application/openmetrics-text' } });
    const scrape = await send(sut, '/metrics');
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(scrape.text).not.toContain('# {');
    expect(scrape.text).not.toContain('# EOF');
    expect(scrape.text).toContain('# TYPE nlp_requests_total counter\n');
    expect(promtoolCheck(scrape.text)).toEqual({ status: 0, output: '' });
  });
});
