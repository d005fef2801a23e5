import Fastify, { type FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';
import { annotateRequest } from '../../common/http/request-annotation';
import { setRequestTrace } from '../../common/observability/request-trace';
import type { RequestObservation } from './request-metrics';
import { observeRequests, UNMATCHED_ENDPOINT } from './request-observability';

interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly reqId: string;
  readonly [field: string]: unknown;
}

const DEBUG = 20;

function isOurs(line: LogLine): boolean {
  return line.msg === 'request completed' && 'route' in line;
}
const INFO = 30;

/**
 * A bare Fastify with the hook, a pino stream we can read, and routes like the app's. Fastify's
 * own request logging stays on here; its lines carry no `route`, which tells them apart.
 */
async function startServer(
  level: 'debug' | 'info',
  beforeListen: (server: FastifyInstance) => void = () => undefined,
) {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line !== '') lines.push(JSON.parse(line) as LogLine);
      }
      done();
    },
  });
  const observations: RequestObservation[] = [];
  const server: FastifyInstance = Fastify({ logger: { level, stream } });
  observeRequests(server, { requestFinished: (observation) => observations.push(observation) });
  server.post('/classify/batch', (request, reply) => {
    annotateRequest(request, { model: 'spam-en', texts: 3, cached: 1 });
    void reply.send({ ok: true });
  });
  server.get('/models/:name', (_request, reply) => void reply.send({ ok: true }));
  server.get('/health', (_request, reply) => void reply.send({ status: 'healthy' }));
  beforeListen(server);
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  return { server, url, lines, observations };
}

describe(observeRequests.name, () => {
  let sut: Awaited<ReturnType<typeof startServer>>;

  afterEach(async () => {
    await sut.server.close();
  });

  it('writes one info line per request with route, status, duration and what the handler noted', async () => {
    sut = await startServer('info');
    await fetch(`${sut.url}/classify/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'abc-123' },
      body: '{}',
    });

    const requestLines = sut.lines.filter((line) => isOurs(line));
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      level: INFO,
      route: '/classify/batch',
      method: 'POST',
      status: 200,
      model: 'spam-en',
      texts: 3,
      cached: 1,
    });
    expect(typeof requestLines[0].duration_ms).toBe('number');
    expect(sut.observations).toEqual([
      expect.objectContaining({
        endpoint: '/classify/batch',
        status: 200,
        probe: false,
        texts: 3,
        cached: 1,
      }),
    ]);
  });

  it('labels requests by route template and sends every unmatched path to one label', async () => {
    sut = await startServer('info');
    await fetch(`${sut.url}/models/spam-en?x=1`);
    await fetch(`${sut.url}/models/lang-id`);
    await fetch(`${sut.url}/wp-admin/${Math.random()}`);
    await fetch(`${sut.url}/.env`, { method: 'DELETE' });

    expect(
      sut.observations.map((observation) => [observation.endpoint, observation.status]),
    ).toEqual([
      ['/models/:name', 200],
      ['/models/:name', 200],
      [UNMATCHED_ENDPOINT, 404],
      [UNMATCHED_ENDPOINT, 404],
    ]);
  });

  it('carries the trace and span ids of a traced request, and none of an untraced one', async () => {
    // What the tracing module's onRequest hook does when tracing is on.
    sut = await startServer('info', (server) =>
      server.addHook('onRequest', (request, _reply, done) => {
        if (request.headers['x-traced'] === 'yes') {
          setRequestTrace(request, {
            trace_id: 'a'.repeat(32),
            span_id: 'b'.repeat(16),
            sampled: true,
          });
        }
        done();
      }),
    );
    await fetch(`${sut.url}/models/spam-en`, { headers: { 'x-traced': 'yes' } });
    await fetch(`${sut.url}/models/spam-en`);

    const [traced, untraced] = sut.lines.filter((line) => isOurs(line));
    expect(traced).toMatchObject({ trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16) });
    expect(untraced).not.toHaveProperty('trace_id');
    expect(untraced).not.toHaveProperty('span_id');
  });

  it('logs probes at debug level only', async () => {
    sut = await startServer('info');
    await fetch(`${sut.url}/health`);
    expect(sut.lines.filter((line) => isOurs(line))).toHaveLength(0);
    expect(sut.observations).toEqual([
      expect.objectContaining({ endpoint: '/health', probe: true }),
    ]);
    await sut.server.close();

    sut = await startServer('debug');
    await fetch(`${sut.url}/health`);
    const probeLines = sut.lines.filter((line) => isOurs(line));
    expect(probeLines).toEqual([
      expect.objectContaining({ level: DEBUG, route: '/health', status: 200 }),
    ]);
  });
});
