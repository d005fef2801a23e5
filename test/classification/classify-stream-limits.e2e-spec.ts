import { once } from 'node:events';
import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { answerLines, postNdjson, streamNdjson } from '../helpers/ndjson-stream';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { parseSamples, valueOf } from '../observability/exposition';

/**
 * Short enough that the tests below outlast it, long enough that a busy test process never
 * delays a client's first bytes past it (Node counts it from the connection).
 */
const REQUEST_TIMEOUT_MS = 2500;
const IDLE_TIMEOUT_MS = 3000;

/** Lines written `gapMs` apart, then the body ends. */
async function* paced(count: number, gapMs: number): AsyncGenerator<string> {
  for (let i = 0; i < count; i++) {
    if (i > 0) await sleep(gapMs);
    yield JSON.stringify({ id: `p${i}`, text: `paced message ${i}` });
  }
}

/**
 * `count` lines in one write (so they arrive together, one group), then a body that neither
 * sends nor ends until `release` resolves.
 */
async function* thenSilent(count: number, release: Promise<void>): AsyncGenerator<string> {
  yield Array.from({ length: count }, (_, i) =>
    JSON.stringify({ id: `s${i}`, text: `silent ${i}` }),
  ).join('\n');
  await release;
}

async function metric(sut: TestApp, name: string): Promise<number> {
  const response = await sut.inject({ method: 'GET', url: '/metrics' });
  return valueOf(parseSamples(response.body), name, { model: 'spam-en' });
}

describe('POST /classify/stream time limits', () => {
  let sut: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    sut = await startTestApp(
      {
        HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        STREAM_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS),
      },
      { listen: true },
    );
    baseUrl = sut.baseUrl ?? '';
  });

  afterAll(async () => {
    await sut.close();
  });

  it('answers a stream that keeps sending for longer than HTTP_REQUEST_TIMEOUT_MS', async () => {
    const started = Date.now();
    // 250 ms gaps: far below the idle limit; 6 s in all: more than twice the request timeout.
    const { status, answers } = await streamNdjson(baseUrl, '/classify/stream', paced(25, 250));
    expect(Date.now() - started).toBeGreaterThan(2 * REQUEST_TIMEOUT_MS);
    expect(status).toBe(200);
    expect(answers).toHaveLength(25);
    answers.forEach((answer, i) =>
      expect(answer).toMatchObject({ id: `p${i}`, label: expect.any(String) }),
    );
  });

  it('ends an idle stream with a 408 error line naming where it stopped, and closes', async () => {
    let release = (): void => undefined;
    const silence = new Promise<void>((resolve) => (release = resolve));
    const exchange = postNdjson(baseUrl, '/classify/stream', thenSilent(3, silence));
    try {
      const response = await exchange.response;
      const closed = once(response.socket, 'close');
      const answers: unknown[] = [];
      for await (const answer of answerLines(response)) answers.push(answer);
      expect(answers).toHaveLength(4);
      expect(answers.slice(0, 3)).toMatchObject([{ id: 's0' }, { id: 's1' }, { id: 's2' }]);
      expect(answers[3]).toMatchObject({
        id: 4,
        line: 4,
        error: {
          statusCode: 408,
          message: expect.stringMatching(/STREAM_IDLE_TIMEOUT_MS.*lines from 4 on/),
        },
      });
      await closed; // only the server can end this wait: the client never ends its body
    } finally {
      release();
      exchange.request.destroy();
    }
  });

  it('still cuts a body that dribbles past HTTP_REQUEST_TIMEOUT_MS on other routes', async () => {
    const { reply, sent } = await dribble(
      baseUrl,
      'POST /classify HTTP/1.1\r\nHost: sift\r\nContent-Type: application/json\r\n' +
        'Content-Length: 100000\r\n\r\n{"text": "',
    );
    expect(sent).toBeLessThan(100_000);
    expect(reply).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    const body = JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)) as unknown;
    expect(body).toMatchObject({
      statusCode: 408,
      error: 'Request Timeout',
      message: expect.stringContaining('HTTP_REQUEST_TIMEOUT_MS'),
      requestId: expect.any(String),
    });
  });

  it('cuts a body still dribbling after an answer sent without reading it', async () => {
    const { reply, sent } = await dribble(
      baseUrl,
      'POST /classify HTTP/1.1\r\nHost: sift\r\nContent-Type: text/plain\r\n' +
        'Content-Length: 100000\r\n\r\n',
    );
    expect(sent).toBeLessThan(100_000);
    expect(reply).toMatch(/^HTTP\/1\.1 415 /);
  });
});

/**
 * Sends `head`, then one byte every 50 ms until the server closes the connection: resolves with
 * what the server wrote (a test whose server never closes fails by its timeout).
 */
async function dribble(baseUrl: string, head: string): Promise<{ reply: string; sent: number }> {
  const socket = createConnection({ host: '127.0.0.1', port: Number(new URL(baseUrl).port) });
  await once(socket, 'connect');
  let reply = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (reply += chunk));
  socket.on('error', () => undefined);
  let open = true;
  const closed = once(socket, 'close').then(() => (open = false));
  socket.write(head);
  let sent = 0;
  while (open) {
    socket.write('x');
    sent++;
    await Promise.race([sleep(50), closed]);
  }
  return { reply, sent };
}

describe('POST /classify/stream when its client leaves', () => {
  let sut: TestApp;

  beforeAll(async () => {
    // Texts wait up to 10 s for companions: long enough that a queued group is still queued
    // when the client leaves, so whether it ran shows in the row counter.
    sut = await startTestApp(
      { MAX_BATCH_SIZE: '4096', MAX_BATCH_DELAY_MS: '10000' },
      { listen: true },
    );
  });

  afterAll(async () => {
    await sut.close();
  });

  it('drops its queued texts: their rows never run', async () => {
    const rowsBefore = await metric(sut, 'nlp_batch_size_sum');
    let release = (): void => undefined;
    const silence = new Promise<void>((resolve) => (release = resolve));
    const exchange = postNdjson(sut.baseUrl ?? '', '/classify/stream', thenSilent(40, silence));
    // No answer comes before the texts run (the headers go out with the first line).
    exchange.response.catch(() => undefined);
    try {
      while ((await metric(sut, 'nlp_queue_depth')) < 40) await sleep(20);
      exchange.request.destroy();
      // Dropped at once when the server notices; not dropped, they would leave the queue only
      // by running once the 10 s window closed, and the row count below would show them.
      while ((await metric(sut, 'nlp_queue_depth')) > 0) await sleep(20);
      expect(await metric(sut, 'nlp_batch_size_sum')).toBe(rowsBefore);
    } finally {
      release();
      exchange.request.destroy();
    }
  });
});

describe("POST /classify/stream's request record", () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({}, { listen: true });
  });

  afterAll(async () => {
    await sut.close();
  });

  it('counts the texts and cache hits of the whole stream, not of its last group', async () => {
    let firstAnswered = (): void => undefined;
    const answered = new Promise<void>((resolve) => (firstAnswered = resolve));
    async function* twoGroups(): AsyncGenerator<string> {
      yield Array.from({ length: 9 }, (_, i) => JSON.stringify({ text: `record ${i}` })).join('\n');
      // Sent once the first group is answered (and so cached): a group of one cache hit.
      await answered;
      yield JSON.stringify({ text: 'record 0' });
    }
    const response = await postNdjson(sut.baseUrl ?? '', '/classify/stream', twoGroups()).response;
    const answers: unknown[] = [];
    for await (const answer of answerLines(response)) {
      answers.push(answer);
      if (answers.length === 9) firstAnswered();
    }
    expect(answers).toHaveLength(10);
    const metrics = await sut.inject({ method: 'GET', url: '/metrics' });
    // 1 hit of 10 texts; the last group alone would read 1 of 1.
    expect(valueOf(parseSamples(metrics.body), 'nlp_cache_hit_rate')).toBeCloseTo(0.1);
  });
});
