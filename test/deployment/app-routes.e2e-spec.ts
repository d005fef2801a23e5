import { startTestApp, type TestApp } from '../helpers/test-app';
import { APP_METRICS, ROUTES } from './support/app-contract';

/** Routes the Dockerfiles, compose, Prometheus, Kubernetes and serverless.yml point at. */
const DEPLOYED_ROUTES = [
  ['GET', ROUTES.liveness],
  ['GET', ROUTES.readiness],
  ['GET', ROUTES.metrics],
  ['POST', ROUTES.classify],
  ['POST', ROUTES.classifyBatch],
] as const;

/** Registered only where nvidia-smi answers. */
const GPU_ONLY_METRICS = new Set(['nlp_gpu_utilization_percent']);

describe('Routes and metrics the deployment files rely on', () => {
  let sut: TestApp;

  beforeAll(async () => {
    // A configured Redis is what makes the app export nlp_cache_redis_up: the prerequisite one
    // that npm test checks, never whatever REDIS_URL the shell exports.
    sut = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:6379' });
  });

  afterAll(() => sut?.close());

  it.each(DEPLOYED_ROUTES)('serves %s %s', (method, url) => {
    expect(sut.app.getHttpAdapter().getInstance().hasRoute({ method, url })).toBe(true);
  });

  it('answers the liveness and readiness probes with 200 once models are loaded', async () => {
    expect((await sut.inject({ method: 'GET', url: ROUTES.liveness })).statusCode).toBe(200);
    expect((await sut.inject({ method: 'GET', url: ROUTES.readiness })).statusCode).toBe(200);
  });

  it('exports every metric the dashboards and alerts read', async () => {
    const page = (await sut.inject({ method: 'GET', url: ROUTES.metrics })).body;
    const exported = new Set([...page.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]));
    const missing = [...APP_METRICS].filter(
      (name) => !exported.has(name) && !GPU_ONLY_METRICS.has(name),
    );
    expect(missing).toEqual([]);
  });
});
