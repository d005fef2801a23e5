import { jest } from '@jest/globals';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { ClassificationPipeline } from '../../src/modules/classification/classification-pipeline.service';
import { ClassifyStreamService } from '../../src/modules/classification/stream/classify-stream.service';
import { answerLines, postNdjson, streamNdjson } from '../helpers/ndjson-stream';
import { postJson, startTestApp, type TestApp } from '../helpers/test-app';

const MAX_LINE_BYTES = 1024;

interface Answer {
  id?: unknown;
  label?: unknown;
  line?: number;
  error?: { statusCode: number; error: string; message: string };
}

/** Line `i` (from 0) of a bulk job: mostly texts, with each kind of bad line now and then. */
function bulkLine(i: number): { line: string; bad?: number } {
  switch (i % 250) {
    case 17:
      return { line: 'not json at all', bad: 400 };
    case 71:
      return { line: JSON.stringify({ id: `t${i}` }), bad: 400 };
    case 123:
      return { line: JSON.stringify({ id: `t${i}`, text: 'x'.repeat(MAX_LINE_BYTES) }), bad: 413 };
    case 199:
      return { line: JSON.stringify({ id: `t${i}`, text: '<script>alert(1)</script>' }), bad: 422 };
    default:
      return { line: JSON.stringify({ id: `t${i}`, text: `ticket ${i}: see you at lunch` }) };
  }
}

describe('POST /classify/stream', () => {
  let sut: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    sut = await startTestApp({ STREAM_MAX_LINE_BYTES: String(MAX_LINE_BYTES) }, { listen: true });
    baseUrl = sut.baseUrl ?? '';
  });

  afterAll(async () => {
    await sut.close();
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('answers 20,000 lines in input order, each bad line with its number, without ending', async () => {
    const total = 20_000;
    const { status, contentType, answers } = await streamNdjson(
      baseUrl,
      '/classify/stream?top_k=1',
      Array.from({ length: total }, (_, i) => bulkLine(i).line),
    );
    expect(status).toBe(200);
    expect(contentType).toMatch(/^application\/x-ndjson/);
    expect(answers).toHaveLength(total);
    let bad = 0;
    (answers as Answer[]).forEach((answer, i) => {
      const expected = bulkLine(i);
      if (expected.bad === undefined) {
        expect(answer).toMatchObject({ id: `t${i}`, label: expect.stringMatching(/^(ham|spam)$/) });
      } else {
        bad++;
        expect(answer).toMatchObject({ line: i + 1, error: { statusCode: expected.bad } });
      }
    });
    expect(bad).toBe(4 * (total / 250));
  });

  it('answers with the line number as id when a line has none, and applies line settings', async () => {
    const { answers } = await streamNdjson(baseUrl, '/classify/stream', [
      JSON.stringify({ text: 'See you at lunch?' }),
      JSON.stringify({ text: 'See you at lunch?', top_k: 1, id: 7 }),
      JSON.stringify({ text: 'See you at lunch?', model: 'no-such-model' }),
    ]);
    expect(answers).toMatchObject([
      { id: 1, scores: { ham: expect.any(Number), spam: expect.any(Number) } },
      { id: 7, scores: { ham: expect.any(Number) } },
      { id: 3, line: 3, error: { statusCode: 404 } },
    ]);
  });

  it('refuses a JSON body and a wrong query as a request', async () => {
    const json = await postJson(sut, '/classify/stream', { text: 'hi' });
    expect(json.statusCode).toBe(415);
    const query = await streamNdjson(baseUrl, '/classify/stream?top_k=0', ['{"text":"hi"}']);
    expect(query.status).toBe(400);
  });

  it('stops reading and classifying when its client disconnects', async () => {
    const stream = sut.app.get(ClassifyStreamService);
    const answer = jest.spyOn(stream, 'answer');
    const classify = jest.spyOn(sut.app.get(ClassificationPipeline), 'classify');
    let written = 0;
    function* endless(): Generator<string> {
      for (;;) yield JSON.stringify({ id: written++, text: `endless message ${written}` });
    }
    const exchange = postNdjson(baseUrl, '/classify/stream', endless());
    const response = await exchange.response;
    let received = 0;
    for await (const line of answerLines(response)) {
      expect(line).toMatchObject({ id: received });
      if (++received === 500) break;
    }
    exchange.request.destroy();
    // The server's answer stream closes once it has noticed; from then on nothing is classified.
    const served = answer.mock.results[0]?.value as Readable;
    if (!served.closed) await once(served, 'close');
    const textsAtClose = classify.mock.calls.reduce(
      (sum, [, input]) => sum + input.inputs.length,
      0,
    );
    expect(textsAtClose).toBeLessThan(written);

    const after = await streamNdjson(baseUrl, '/classify/stream', ['{"text":"still here"}']);
    expect(after.answers).toMatchObject([{ id: 1, label: expect.any(String) }]);
    const textsNow = classify.mock.calls.reduce((sum, [, input]) => sum + input.inputs.length, 0);
    expect(textsNow).toBe(textsAtClose + 1);
  });
});

describe('POST /classify/stream under the rate limit', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp(
      { RATE_LIMIT: '10', RATE_LIMIT_WINDOW_SECONDS: '3600', STREAM_RATE_LIMIT_WAIT_MS: '0' },
      { listen: true },
    );
  });

  afterAll(async () => {
    await sut.close();
  });

  it('counts each text and ends with an error line saying where it stopped', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ text: `note ${i}` }));
    const { status, answers } = await streamNdjson(sut.baseUrl ?? '', '/classify/stream', lines);
    expect(status).toBe(200);
    const last = answers.at(-1) as Answer;
    const classified = answers.slice(0, -1) as Answer[];
    // The request counts once and each text once: at most 9 texts fit a limit of 10.
    expect(classified.length).toBeLessThanOrEqual(9);
    classified.forEach((answer, i) => expect(answer).toMatchObject({ id: i + 1 }));
    expect(last).toMatchObject({
      line: classified.length + 1,
      error: { statusCode: 429, message: expect.stringContaining(`line ${classified.length + 1}`) },
    });
  });
});

describe('POST /classify/stream waiting out the rate limit', () => {
  let sut: TestApp;

  beforeAll(async () => {
    // Windows of 1 s and a long allowed wait: the stream must finish, however slow the machine.
    // A wait that long must be below the socket silence limit, which is off here for that.
    sut = await startTestApp(
      {
        RATE_LIMIT: '20',
        RATE_LIMIT_WINDOW_SECONDS: '1',
        STREAM_RATE_LIMIT_WAIT_MS: '600000',
        HTTP_CONNECTION_TIMEOUT_MS: '0',
      },
      { listen: true },
    );
  });

  afterAll(async () => {
    await sut.close();
  });

  it('waits for the window to reset instead of failing, and answers every line', async () => {
    const lines = Array.from({ length: 45 }, (_, i) => JSON.stringify({ text: `memo ${i}` }));
    const { answers } = await streamNdjson(sut.baseUrl ?? '', '/classify/stream', lines);
    expect(answers).toHaveLength(45);
    (answers as Answer[]).forEach((answer, i) => {
      expect(answer).toMatchObject({ id: i + 1, label: expect.any(String) });
    });
  });
});
