import { TracingService } from '../../src/modules/tracing/tracing.service';
import { DisposableRedis, waitForRedisUp } from '../cache/redis-test-support';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver';

const CALLER_TRACE = '5bf92f3577b34da6a3ce929d0e0e4737';

function childrenOf(spans: readonly ReceivedSpan[], parent: ReceivedSpan | undefined) {
  return spans.filter((span) => span.parentSpanId === parent?.spanId).map((span) => span.name);
}

describe('OpenTelemetry traces with Redis', () => {
  let redis: DisposableRedis;
  let collector: OtlpReceiver;
  let sut: TestApp;

  beforeAll(async () => {
    redis = await DisposableRedis.launch();
    collector = await startOtlpReceiver();
    sut = await startTestApp({
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
      OTEL_TRACES_SAMPLER: 'always_on',
      REDIS_URL: redis.url,
      RATE_LIMIT: '1000',
      CACHE_ENABLED: 'true',
      // No memory tier: the lookup goes to Redis.
      CACHE_MEMORY_ITEMS: '0',
    });
    await waitForRedisUp(sut);
  });

  afterAll(async () => {
    await sut.close();
    await collector.close();
    await redis.kill();
  });

  it('gives the rate-limit check and the cache lookup a span for each Redis call', async () => {
    const response = await sut.inject({
      method: 'POST',
      url: '/classify',
      headers: { traceparent: `00-${CALLER_TRACE}-00f067aa0ba902b7-01` },
      payload: { text: 'redis spans: a text of its own' },
    });
    expect(response.statusCode).toBe(200);
    await sut.app.get(TracingService).forceFlush();
    const spans = collector.spans.filter((span) => span.traceId === CALLER_TRACE);

    const rateLimit = spans.find((span) => span.name === 'rate limit check');
    const [script] = spans.filter((span) => span.parentSpanId === rateLimit?.spanId);
    expect(script).toMatchObject({
      name: 'redis EVALSHA',
      attributes: { 'db.system.name': 'redis' },
    });
    const server = spans.find((span) => span.name === 'POST /classify');
    expect(childrenOf(spans, server)).toEqual(
      expect.arrayContaining(['rate limit check', 'cache lookup']),
    );
    expect(spans.filter((span) => span.name.startsWith('redis ')).length).toBeGreaterThan(1);
  });
});
