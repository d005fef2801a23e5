import { ConsoleLogger, Logger } from '@nestjs/common';
import { loadConfig } from '../../config';
import { RedisConnection } from '../redis/redis-connection.service';
import { parseSamples, promtoolCheck, valueOf } from '../../../test/observability/exposition';
import type { GpuProbe, GpuUtilization } from './gpu-probe';
import { MetricsService } from './metrics.service';

class FakeGpuProbe implements GpuProbe {
  constructor(private readings: readonly GpuUtilization[] | undefined) {}
  set(readings: readonly GpuUtilization[] | undefined): void {
    this.readings = readings;
  }
  read(): Promise<readonly GpuUtilization[] | undefined> {
    return Promise.resolve(this.readings);
  }
}

function createSut(options: { redisUrl?: string; gpu?: readonly GpuUtilization[] } = {}): {
  sut: MetricsService;
  gpu: FakeGpuProbe;
} {
  const config = loadConfig(options.redisUrl === undefined ? {} : { REDIS_URL: options.redisUrl });
  // Never connected: onModuleInit is not called, so the client opens no socket.
  const redis = new RedisConnection(config);
  const gpu = new FakeGpuProbe(options.gpu);
  return { sut: new MetricsService(redis, gpu), gpu };
}

async function samplesOf(sut: MetricsService) {
  return parseSamples(await sut.exposition());
}

describe(MetricsService.name, () => {
  // The GPU messages are expected here; keep the test output to the results.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));

  it('keeps a registry per instance, so two apps in one process neither clash nor share', async () => {
    const first = createSut().sut;
    const second = createSut().sut;
    first.inference.predicted('spam-en', '1', 'spam');
    first.inference.predicted('spam-en', '1', 'spam');
    second.inference.predicted('spam-en', '1', 'spam');

    expect(valueOf(await samplesOf(first), 'nlp_predictions_total', { label: 'spam' })).toBe(2);
    expect(valueOf(await samplesOf(second), 'nlp_predictions_total', { label: 'spam' })).toBe(1);
  });

  it('records each observer call in its series', async () => {
    const { sut } = createSut();
    sut.inference.modelLoaded('spam-en', '1', 1.5);
    sut.inference.batchRun('spam-en', 3, 48, 0.02);
    sut.inference.batchRun('spam-en', 1, 16, 0.01);
    sut.inference.queueWait('spam-en', [0.001, 0.002, 0.003]);
    sut.inference.queueDepth('spam-en', 7);
    sut.inference.tokenized(0.0004);
    sut.cache.cacheRequest('memory', 'hit', 3);
    sut.cache.cacheRequest('redis', 'error');
    sut.requests.requestFinished({
      endpoint: '/classify',
      status: 503,
      seconds: 0.01,
      probe: false,
      rejection: 'queue_full',
    });

    const samples = await samplesOf(sut);
    expect(valueOf(samples, 'nlp_model_load_time_seconds', { model: 'spam-en' })).toBe(1.5);
    expect(valueOf(samples, 'nlp_batch_size_count', { model: 'spam-en' })).toBe(2);
    expect(valueOf(samples, 'nlp_batch_size_sum', { model: 'spam-en' })).toBe(4);
    expect(valueOf(samples, 'nlp_batch_tokens_sum', { model: 'spam-en' })).toBe(64);
    expect(valueOf(samples, 'nlp_inference_duration_seconds_count', { model: 'spam-en' })).toBe(2);
    expect(valueOf(samples, 'nlp_queue_wait_seconds_count', { model: 'spam-en' })).toBe(3);
    expect(valueOf(samples, 'nlp_queue_depth', { model: 'spam-en' })).toBe(7);
    expect(valueOf(samples, 'nlp_tokenize_duration_seconds_count')).toBe(1);
    expect(valueOf(samples, 'nlp_cache_requests_total', { tier: 'memory', result: 'hit' })).toBe(3);
    expect(valueOf(samples, 'nlp_cache_requests_total', { tier: 'redis', result: 'error' })).toBe(
      1,
    );
    expect(valueOf(samples, 'nlp_rejected_total', { reason: 'queue_full' })).toBe(1);
    expect(valueOf(samples, 'nlp_memory_usage_bytes')).toBeGreaterThan(0);
  });

  it('starts every rejection reason and cache outcome at 0 so rate() works from the start', async () => {
    const samples = await samplesOf(createSut().sut);
    const reasons = samples.filter((sample) => sample.name === 'nlp_rejected_total');
    expect(reasons.map((sample) => sample.labels.reason).sort()).toEqual([
      'not_found',
      'queue_full',
      'rate_limited',
      'shutting_down',
      'timeout',
      'unauthorized',
      'validation',
    ]);
    expect(samples.filter((sample) => sample.name === 'nlp_cache_requests_total')).toHaveLength(8);
  });

  it('computes the cache hit rate over successfully classified texts only', async () => {
    const { sut } = createSut();
    expect(sut.requests.cacheHitRate()).toBe(0);
    sut.requests.requestFinished({
      endpoint: '/classify/batch',
      status: 200,
      seconds: 0.01,
      probe: false,
      texts: 4,
      cached: 1,
    });
    sut.requests.requestFinished({
      endpoint: '/classify',
      status: 200,
      seconds: 0.01,
      probe: false,
      texts: 1,
      cached: 0,
    });
    // A failed request classified nothing, whatever it asked for.
    sut.requests.requestFinished({
      endpoint: '/classify',
      status: 504,
      seconds: 0.01,
      probe: false,
      texts: 3,
    });

    expect(sut.requests.cacheHitRate()).toBeCloseTo(1 / 5);
    expect(valueOf(await samplesOf(sut), 'nlp_cache_hit_rate')).toBeCloseTo(1 / 5);
  });

  it('counts probes in the request metrics but not in the processed requests', async () => {
    const { sut } = createSut();
    sut.requests.requestFinished({ endpoint: '/health', status: 200, seconds: 0.001, probe: true });
    sut.requests.requestFinished({
      endpoint: '/classify',
      status: 400,
      seconds: 0.001,
      probe: false,
      rejection: 'validation',
    });

    const samples = await samplesOf(sut);
    expect(sut.requests.processedRequests()).toBe(1);
    expect(valueOf(samples, 'nlp_requests_total', { endpoint: '/health', status: '200' })).toBe(1);
    expect(valueOf(samples, 'nlp_request_duration_seconds_count', { endpoint: '/classify' })).toBe(
      1,
    );
    expect(valueOf(samples, 'nlp_rejected_total', { reason: 'validation' })).toBe(1);
  });

  it('ignores a negative cache count instead of throwing on the request path', async () => {
    const { sut } = createSut();
    expect(() => sut.cache.cacheRequest('memory', 'miss', -2)).not.toThrow();
    expect(valueOf(await samplesOf(sut), 'nlp_cache_requests_total', { result: 'miss' })).toBe(0);
  });

  it('registers the GPU gauge only when nvidia-smi answers at start', async () => {
    const without = createSut().sut;
    await without.onModuleInit();
    expect((await without.exposition()).includes('nlp_gpu_utilization_percent')).toBe(false);

    const { sut, gpu } = createSut({ gpu: [{ gpu: '0', percent: 35 }] });
    await sut.onModuleInit();
    expect(valueOf(await samplesOf(sut), 'nlp_gpu_utilization_percent', { gpu: '0' })).toBe(35);

    gpu.set(undefined);
    const afterLoss = await samplesOf(sut);
    expect(afterLoss.some((sample) => sample.name === 'nlp_gpu_utilization_percent')).toBe(false);
  });

  it('exports the Redis gauge only when Redis is configured, reading the connection', async () => {
    const disabled = await samplesOf(createSut().sut);
    expect(disabled.some((sample) => sample.name === 'nlp_cache_redis_up')).toBe(false);

    const { sut } = createSut({ redisUrl: 'redis://127.0.0.1:1' });
    // The connection never connected.
    expect(valueOf(await samplesOf(sut), 'nlp_cache_redis_up')).toBe(0);
  });

  it('produces an exposition that promtool accepts, GPU gauge and Redis gauge included', async () => {
    const { sut } = createSut({
      redisUrl: 'redis://127.0.0.1:1',
      gpu: [{ gpu: '0', percent: 12 }],
    });
    await sut.onModuleInit();
    sut.inference.batchRun('spam-en', 2, 32, 0.01);
    sut.inference.predicted('spam-en', '1', 'ham');
    sut.requests.requestFinished({
      endpoint: '/classify',
      status: 200,
      seconds: 0.02,
      probe: false,
      texts: 1,
      cached: 0,
    });

    expect(promtoolCheck(await sut.exposition())).toEqual({ status: 0, output: '' });
  });
});
