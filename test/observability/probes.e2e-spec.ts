import { jest } from '@jest/globals';
import { createServer } from 'node:net';
import { OnnxModelRunner } from '../../src/modules/inference/runtime/onnx-model-runner';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { parseSamples, valueOf } from './exposition';
import { send } from './http';

const MODEL = 'spam-en';

/** A promise the test resolves by hand, to hold model loading or a batch exactly where it is. */
function gate(): { readonly opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** Lets pending I/O callbacks run until `condition` holds: no timers, no timing assumptions. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

/** A TCP port nothing listens on: bound once by us, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

interface Readiness {
  readonly status: string;
  readonly details: { readonly models: { readonly status: string; readonly reason?: string } };
}

interface Liveness {
  readonly status: 'healthy' | 'warning';
  readonly uptime_seconds: number;
  readonly requests_processed: number;
  readonly memory_usage_percent: number;
  readonly cache_hit_rate: number;
  readonly cache_items: number;
  readonly issues: string[];
  readonly models: {
    readonly loaded: number;
    readonly names: string[];
    readonly ready: boolean;
    readonly versions: Record<string, unknown>;
  };
  readonly redis: 'disabled' | 'up' | 'down';
  readonly shutting_down: boolean;
}

describe('GET /ready and GET /health', () => {
  let sut: TestApp | undefined;

  afterEach(async () => {
    jest.restoreAllMocks();
    await sut?.close();
    sut = undefined;
  });

  it('answers /ready 503 while models load and 200 once they are loaded and warmed', async () => {
    // Hold the ONNX session creation so the app is certainly still loading when probed.
    const loading = gate();
    const create = OnnxModelRunner.create.bind(OnnxModelRunner);
    jest.spyOn(OnnxModelRunner, 'create').mockImplementationOnce(async (...args) => {
      await loading.opened;
      return create(...args);
    });
    sut = await startTestApp({ MODELS: MODEL }, { waitForModels: false, listen: true });

    const early = await send(sut, '/ready');
    expect(early.status).toBe(503);
    expect(early.body).toMatchObject({
      status: 'error',
      details: { models: { status: 'down', reason: 'loading' } },
    });
    expect(early.headers.get('cache-control')).toContain('no-store');
    const live = await send(sut, '/health');
    expect(live.status).toBe(200);
    expect((live.body as Liveness).models).toEqual({
      loaded: 0,
      names: [],
      ready: false,
      // A flat model folder has no number; its content hash names it once loaded.
      versions: { 'spam-en': [{ version: 'flat', state: 'LOADING', reason: 'loading' }] },
    });
    // Work that arrives before the models are ready is refused as unavailable, not unknown.
    const tooEarly = await send(sut, '/classify', { json: { text: 'are you up yet?' } });
    expect(tooEarly.status).toBe(503);
    expect(tooEarly.headers.get('retry-after')).toBe('5');
    expect(tooEarly.body).toMatchObject({
      statusCode: 503,
      message: expect.stringMatching(/still loading/),
    });

    loading.open();
    await sut.inference.whenLoaded();

    const ready = await send(sut, '/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      details: { models: { status: 'up', names: [MODEL] } },
    });
  });

  it('reports a DEFAULT_MODEL that names no served model as a failed load on /health and /ready', async () => {
    sut = await startTestApp(
      { MODELS: MODEL, DEFAULT_MODEL: 'spam-fr' },
      { waitForModels: false, listen: true },
    );
    await expect(sut.inference.whenLoaded()).rejects.toThrow(/DEFAULT_MODEL "spam-fr"/);

    const live = await send(sut, '/health');
    expect(live.status).toBe(200);
    expect((live.body as Liveness).status).toBe('warning');
    expect((live.body as Liveness).issues).toEqual([
      `model loading failed: DEFAULT_MODEL "spam-fr" is not a served model (served: ${MODEL})`,
    ]);
    const ready = await send(sut, '/ready');
    expect(ready.status).toBe(503);
    expect((ready.body as Readiness).details.models).toMatchObject({
      status: 'down',
      reason: 'failed',
    });
  });

  it('turns /ready 503 while draining for shutdown, with /health still 200 and new work refused', async () => {
    sut = await startTestApp({ MODELS: MODEL }, { listen: true });
    expect((await send(sut, '/ready')).status).toBe(200);

    // Hold one real batch in the ONNX runner so the drain has something to wait for.
    const model = sut.inference.resolveModel(MODEL);
    const run = model.runner.run.bind(model.runner);
    const running = gate();
    const batch = gate();
    jest.spyOn(model.runner, 'run').mockImplementationOnce(async (...args) => {
      running.open();
      await batch.opened;
      return run(...args);
    });
    const inFlight = send(sut, '/classify', { json: { text: 'held while the app shuts down' } });
    await running.opened;

    const app = sut;
    const closing = app.close();
    sut = undefined;
    await until(() => app.inference.isShuttingDown());

    const ready = await send(app, '/ready');
    expect(ready.status).toBe(503);
    expect((ready.body as Readiness).details.models).toMatchObject({
      status: 'down',
      reason: 'shutting_down',
    });
    const live = await send(app, '/health');
    expect(live.status).toBe(200);
    expect((live.body as Liveness).shutting_down).toBe(true);
    const refused = await send(app, '/classify', { json: { text: 'too late' } });
    expect(refused.status).toBe(503);
    const samples = parseSamples((await send(app, '/metrics')).text);
    expect(valueOf(samples, 'nlp_rejected_total', { reason: 'shutting_down' })).toBe(1);

    batch.open();
    expect((await inFlight).status).toBe(200);
    await closing;
  });

  it('reports healthy with uptime, models and Redis disabled by default', async () => {
    sut = await startTestApp({ MODELS: MODEL }, { listen: true });
    await send(sut, '/classify', { json: { text: 'one request to count' } });
    await send(sut, '/metrics');

    const response = await send(sut, '/health');
    expect(response.status).toBe(200);
    const body = response.body as Liveness;
    expect(body).toMatchObject({
      status: 'healthy',
      issues: [],
      redis: 'disabled',
      models: { loaded: 1, names: [MODEL], ready: true },
      shutting_down: false,
      cache_hit_rate: 0,
    });
    // Probes and scrapes are not "processed requests"; the classification is.
    expect(body.requests_processed).toBe(1);
    expect(body.uptime_seconds).toBeGreaterThan(0);
    expect(body.memory_usage_percent).toBeGreaterThan(0);
    expect(body.memory_usage_percent).toBeLessThan(100);
    expect(body.cache_items).toEqual(expect.any(Number));
  });

  it('turns /health to warning, still 200, when memory use is over MEMORY_WARNING_PERCENT', async () => {
    sut = await startTestApp({ MODELS: MODEL, MEMORY_WARNING_PERCENT: '0.001' }, { listen: true });

    const response = await send(sut, '/health');
    expect(response.status).toBe(200);
    const body = response.body as Liveness;
    expect(body.status).toBe('warning');
    expect(body.issues).toEqual([
      expect.stringMatching(/memory usage .* over MEMORY_WARNING_PERCENT \(0\.001%\)/),
    ]);
  });

  it('stays 200 with redis "down" and a warning when Redis cannot be reached', async () => {
    const port = await closedPort();
    sut = await startTestApp(
      { MODELS: MODEL, REDIS_URL: `redis://127.0.0.1:${port}` },
      { listen: true },
    );

    const response = await send(sut, '/health');
    expect(response.status).toBe(200);
    const body = response.body as Liveness;
    expect(body.redis).toBe('down');
    expect(body.status).toBe('warning');
    expect(body.issues).toEqual([expect.stringMatching(/redis is unavailable/)]);
    // Readiness is about the models only: a lost cache does not take the replica out.
    expect((await send(sut, '/ready')).status).toBe(200);
  });
});
