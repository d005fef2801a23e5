import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { answerLines, postNdjson } from '../helpers/ndjson-stream';
import { startTestApp, type TestApp } from '../helpers/test-app';

const MiB = 1024 * 1024;
const BODY_BYTES = 16 * MiB;
/** An upper bound only: the stream's speed is not what this test is about. */
const TEST_LIMIT_MS = 360_000;

/**
 * V8's collector, so the test measures what the stream keeps alive rather than garbage not yet
 * collected (RSS and an uncollected heap grow with the bytes that passed, bounded or not).
 */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('POST /classify/stream memory', () => {
  let sut: TestApp;

  beforeAll(async () => {
    // Default time limits: that a stream outlasts HTTP_REQUEST_TIMEOUT_MS is shown, at a pace
    // the test sets, in classify-stream-limits. Here a limit of 1 s made the test one of the
    // machine's speed: a full collection in a loaded test process delayed the client's
    // headers past it, and Node answered 408 before the stream began.
    sut = await startTestApp({}, { listen: true });
  });

  afterAll(async () => {
    await sut.close();
  });

  it(
    'keeps memory bounded whatever the size of the body',
    async () => {
      const started = Date.now();
      // One long text repeated: after the first line every text is a cache hit, so the test
      // measures the stream's buffering, not the model's speed.
      const line = JSON.stringify({
        text: `Quarterly report attached. ${'lorem ipsum '.repeat(80)}`,
      });
      const lines = Math.ceil(BODY_BYTES / (line.length + 1));
      const gc = collector();
      const heapNow = (): number => {
        gc();
        return process.memoryUsage().heapUsed;
      };
      const before = heapNow();
      let peak = before;
      function* body(): Generator<string> {
        for (let i = 0; i < lines; i++) {
          // Sampled as the body is pulled, so the peak is seen however fast the machine is
          // (from the second group of lines on: `before` was measured just now).
          if (i > 0 && i % 5000 === 0) peak = Math.max(peak, heapNow());
          yield line;
        }
      }
      const response = await postNdjson(sut.baseUrl ?? '', '/classify/stream', body()).response;
      let answered = 0;
      for await (const answer of answerLines(response)) {
        if ((answer as { label?: unknown }).label === undefined) {
          throw new Error(`line ${answered + 1} is an error line: ${JSON.stringify(answer)}`);
        }
        answered++;
      }
      expect(answered).toBe(lines);
      console.log(
        `stream memory: ${lines} lines, ${Date.now() - started} ms, peak +${((peak - before) / MiB).toFixed(1)} MiB`,
      );
      // Server and client share this process: a body held in memory would add 16 MiB or more.
      // Generous: a stream holds a few groups of lines and the sockets' buffers.
      expect((peak - before) / MiB).toBeLessThan(8);
    },
    TEST_LIMIT_MS,
  );
});
