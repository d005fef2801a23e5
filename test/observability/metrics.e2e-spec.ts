import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { parseSamples, promtoolCheck, seriesOf, valueOf, type Sample } from './exposition';
import { send, type HttpResponse } from './http';

const MODEL = 'spam-en';

interface Result {
  readonly label: string;
  readonly cached: boolean;
}

async function scrape(app: TestApp): Promise<Sample[]> {
  const response = await send(app, '/metrics');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseSamples(response.text);
}

describe('GET /metrics', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ MODELS: MODEL, BODY_LIMIT_BYTES: '2048' }, { listen: true });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('matches known traffic exactly: requests, predictions, rejections, batches, queue', async () => {
    const before = await scrape(sut);
    const count = (samples: Sample[], name: string, labels: Record<string, string>) =>
      valueOf(samples, name, labels) - valueOf(before, name, labels);

    // Texts unique to this run; the first is sent twice, so an enabled cache answers it once.
    const run = randomUUID();
    const singles: HttpResponse[] = [];
    const texts = ['Win a FREE cruise, call now!', 'Lunch at noon?', 'Your invoice is attached'];
    for (const text of [...texts, texts[0]]) {
      singles.push(await send(sut, '/classify', { json: { text: `${text} ${run}` } }));
    }
    const batchTexts = ['URGENT prize waiting', 'see you tomorrow', 'cheap meds online', 'thanks!'];
    const batch = await send(sut, '/classify/batch', {
      json: { texts: batchTexts.map((text) => `${text} ${run}`) },
    });

    const bad = [
      await send(sut, '/classify', { json: { text: '' } }),
      await send(sut, '/classify', { json: { wrong: 'field' } }),
      await send(sut, '/classify', { rawBody: '{"text": "unterminated' }),
      await send(sut, '/classify', { rawBody: '<text>hi</text>', contentType: 'application/xml' }),
      await send(sut, '/classify', { json: { text: 'x'.repeat(4096) } }),
      await send(sut, '/classify', { json: { text: 'hi', model: 'no-such-model' } }),
      await send(sut, `/no-such-route/${run}`),
      await send(sut, '/classify', { method: 'GET' }),
    ];
    expect(singles.map((response) => response.status)).toEqual([200, 200, 200, 200]);
    expect(batch.status).toBe(200);
    expect(bad.map((response) => response.status)).toEqual([
      400, 400, 400, 415, 413, 404, 404, 405,
    ]);

    const after = await scrape(sut);
    const requests = (endpoint: string, status: string) =>
      count(after, 'nlp_requests_total', { endpoint, status });
    expect(requests('/classify', '200')).toBe(4);
    expect(requests('/classify/batch', '200')).toBe(1);
    expect(requests('/classify', '400')).toBe(3);
    expect(requests('/classify', '415')).toBe(1);
    expect(requests('/classify', '413')).toBe(1);
    expect(requests('/classify', '404')).toBe(1);
    // An unknown path and an unknown method on a known path both match no route.
    expect(requests('unmatched', '404')).toBe(1);
    expect(requests('unmatched', '405')).toBe(1);
    expect(count(after, 'nlp_request_duration_seconds_count', { endpoint: '/classify' })).toBe(10);
    expect(
      count(after, 'nlp_request_duration_seconds_count', { endpoint: '/classify/batch' }),
    ).toBe(1);

    expect(count(after, 'nlp_rejected_total', { reason: 'validation' })).toBe(5);
    expect(count(after, 'nlp_rejected_total', { reason: 'not_found' })).toBe(3);
    for (const reason of [
      'rate_limited',
      'queue_full',
      'timeout',
      'unauthorized',
      'shutting_down',
    ]) {
      expect(count(after, 'nlp_rejected_total', { reason })).toBe(0);
    }

    // Predictions by label agree with the labels the responses carried (cache hits excluded).
    const results: Result[] = [
      ...singles.map((response) => response.body as Result),
      ...(batch.body as { results: Result[] }).results,
    ];
    const expectedByLabel = new Map<string, number>();
    for (const result of results.filter((item) => !item.cached)) {
      expectedByLabel.set(result.label, (expectedByLabel.get(result.label) ?? 0) + 1);
    }
    const labels = new Set([
      ...expectedByLabel.keys(),
      ...after
        .filter((sample) => sample.name === 'nlp_predictions_total')
        .map((sample) => sample.labels.label),
    ]);
    for (const label of labels) {
      expect([label, count(after, 'nlp_predictions_total', { model: MODEL, label })]).toEqual([
        label,
        expectedByLabel.get(label) ?? 0,
      ]);
    }

    // One histogram observation per ONNX run; the batcher counts its runs independently.
    const stats = sut.inference.resolveModel(MODEL).batcher.stats();
    expect(stats).toBeDefined();
    expect(valueOf(after, 'nlp_batch_size_count', { model: MODEL })).toBe(stats?.runs);
    expect(valueOf(after, 'nlp_batch_size_sum', { model: MODEL })).toBe(stats?.textsRun);
    expect(valueOf(after, 'nlp_batch_tokens_count', { model: MODEL })).toBe(stats?.runs);
    expect(valueOf(after, 'nlp_inference_duration_seconds_count', { model: MODEL })).toBe(
      stats?.runs,
    );
    expect(valueOf(after, 'nlp_queue_depth', { model: MODEL })).toBe(0);
    expect(stats?.queueDepth).toBe(0);
    expect(valueOf(after, 'nlp_model_load_time_seconds', { model: MODEL })).toBeGreaterThan(0);

    // These are the app's first classifications, so the rate covers exactly these texts.
    const cachedTexts = results.filter((result) => result.cached).length;
    expect(valueOf(after, 'nlp_cache_hit_rate')).toBeCloseTo(cachedTexts / results.length, 12);
  });

  it('counts the scrape itself once it has been answered', async () => {
    const first = await scrape(sut);
    const second = await scrape(sut);
    expect(
      valueOf(second, 'nlp_requests_total', { endpoint: '/metrics', status: '200' }) -
        valueOf(first, 'nlp_requests_total', { endpoint: '/metrics', status: '200' }),
    ).toBe(1);
  });

  it('adds no series when random paths are scanned', async () => {
    await send(sut, `/warm-up-${randomUUID()}`);
    const before = await scrape(sut);
    const methods = ['GET', 'POST', 'DELETE', 'PUT', 'PATCH'];
    for (let i = 0; i < 50; i++) {
      const path = `/${randomUUID()}/${i}/${encodeURIComponent(randomUUID())}?q=${i}`;
      const response = await send(sut, path, { method: methods[i % methods.length] });
      expect(response.status).toBe(404);
    }
    const after = await scrape(sut);

    expect(seriesOf(after, 'nlp_')).toEqual(seriesOf(before, 'nlp_'));
    expect(
      valueOf(after, 'nlp_requests_total', { endpoint: 'unmatched', status: '404' }) -
        valueOf(before, 'nlp_requests_total', { endpoint: 'unmatched', status: '404' }),
    ).toBe(50);
  });

  it('serves an exposition that passes promtool check metrics', async () => {
    const response = await send(sut, '/metrics');
    expect(promtoolCheck(response.text)).toEqual({ status: 0, output: '' });
  });

  it('keeps a separate registry per app, so a second app in the process starts from zero', async () => {
    const other = await startTestApp({ MODELS: MODEL }, { listen: true });
    try {
      await send(other, '/classify', { json: { text: `only in the second app ${randomUUID()}` } });
      const otherSamples = await scrape(other);
      const ownSamples = await scrape(sut);
      expect(
        valueOf(otherSamples, 'nlp_requests_total', { endpoint: '/classify', status: '200' }),
      ).toBe(1);
      expect(
        valueOf(ownSamples, 'nlp_requests_total', { endpoint: '/classify', status: '200' }),
      ).toBe(4);
    } finally {
      await other.close();
    }
  });
});
