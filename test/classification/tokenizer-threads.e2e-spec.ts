import { jest } from '@jest/globals';
import { TokenizerPool } from '../../src/modules/inference/runtime/tokenizer-pool';
import { watchPiscina, type PiscinaWatch } from '../helpers/piscina-tasks';
import { startTestApp, type TestApp } from '../helpers/test-app';

/** Distinct texts long enough to be sent to the tokenizer threads (over 256 characters). */
function message(index: number): string {
  return (
    `Message ${index}. Dear team, please find the minutes of Tuesday's meeting attached. ` +
    `Action items: review the budget (${index % 9} open points), confirm the venue, and send ` +
    'the FREE offer details to the client before Friday. Reply to this thread with questions. '
  ).repeat(1 + (index % 3));
}

interface Answer {
  readonly scores: Record<string, number>;
  readonly truncated: boolean;
}

/**
 * Same truncation, same labels scored, scores within 1e-5: the two apps may group the texts
 * into different ONNX runs, and a run's shape can move the last bits of a float.
 */
function expectSameAnswers(threaded: readonly Answer[], inPlace: readonly Answer[]): void {
  expect(threaded).toHaveLength(inPlace.length);
  threaded.forEach((answer, index) => {
    const other = inPlace[index];
    expect({ index, truncated: answer.truncated }).toEqual({ index, truncated: other.truncated });
    expect(Object.keys(answer.scores).sort()).toEqual(Object.keys(other.scores).sort());
    for (const [label, score] of Object.entries(answer.scores)) {
      expect(Math.abs(score - other.scores[label])).toBeLessThan(1e-5);
    }
  });
}

/**
 * The same requests through an app that tokenizes in threads and one that tokenizes on the
 * event loop: the answers must be the same, and the threads must have really done the work.
 */
describe('tokenizer threads (TOKENIZER_THREADS)', () => {
  let threaded: TestApp;
  let inPlace: TestApp;
  /** The tokenizer threads' tasks, as piscina ran them. */
  let threads: PiscinaWatch;

  beforeAll(async () => {
    threads = watchPiscina();
    const shared = { CACHE_ENABLED: 'false', MODELS: 'spam-en,bert-bench,lang-id' };
    threaded = await startTestApp({ ...shared, TOKENIZER_THREADS: '2' });
    inPlace = await startTestApp({ ...shared, TOKENIZER_THREADS: '0' });
  });

  afterAll(async () => {
    threads?.stop();
    await Promise.all([threaded?.close(), inPlace?.close()]);
  });

  it('gives the same answers under concurrent load as tokenizing on the event loop', async () => {
    const requests = Array.from({ length: 30 }, (_, index) => ({
      text: message(index),
      model: ['spam-en', 'bert-bench', 'lang-id'][index % 3],
    }));
    const send = (app: TestApp) =>
      Promise.all(
        requests.map((payload) => app.inject({ method: 'POST', url: '/classify', payload })),
      );
    const before = threads.completed();
    const [fromThreads, fromLoop] = await Promise.all([send(threaded), send(inPlace)]);

    expect(fromThreads.map((response) => response.statusCode)).toEqual(requests.map(() => 200));
    expectSameAnswers(
      fromThreads.map((response) => response.json<Answer>()),
      fromLoop.map((response) => response.json<Answer>()),
    );
    expect(threads.completed()).toBeGreaterThan(before);
    // The one pool is the threaded app's: the other never gave a thread a task.
    expect(threads.pools()).toBe(1);
  });

  it('runs a light graph in a thread when requests overlap, on the event loop when alone', async () => {
    const spam = threaded.inference.resolveModel('spam-en');
    const onEventLoop = jest.spyOn(spam.runner, 'run');
    const inThread = jest.spyOn(TokenizerPool.prototype, 'classify');
    try {
      const texts = ['See you at the meeting at 3pm', 'WIN a FREE cruise, reply YES now'];
      // The first call is alone when it starts; the second overlaps it.
      const threadedAnswers = await Promise.all(
        texts.map((text) => threaded.inference.predict(spam, [text])),
      );
      expect(onEventLoop).toHaveBeenCalledTimes(1);
      expect(inThread).toHaveBeenCalledTimes(1);
      expect(inThread.mock.calls[0][1]).toEqual([texts[1]]);

      const local = inPlace.inference.resolveModel('spam-en');
      const inPlaceAnswers = await Promise.all(
        texts.map((text) => inPlace.inference.predict(local, [text])),
      );
      threadedAnswers.flat().forEach((answer, index) => {
        const other = inPlaceAnswers.flat()[index];
        expect(answer.label).toBe(other.label);
        expect(answer.truncated).toBe(other.truncated);
        answer.probabilities.forEach((probability, label) =>
          expect(Math.abs(probability - other.probabilities[label])).toBeLessThan(1e-5),
        );
      });
    } finally {
      onEventLoop.mockRestore();
      inThread.mockRestore();
    }
  });

  it('splits a lone batch request across the threads, pairs included', async () => {
    const texts = Array.from({ length: 12 }, (_, index) => message(index + 100));
    const pairs = texts.map((_, index) => message(index + 200));
    for (const payload of [
      { texts, model: 'spam-en' },
      { texts, model: 'bert-bench' },
      { texts, text_pairs: pairs, model: 'bert-bench' },
    ]) {
      const before = threads.completed();
      const [a, b] = await Promise.all([
        threaded.inject({ method: 'POST', url: '/classify/batch', payload }),
        inPlace.inject({ method: 'POST', url: '/classify/batch', payload }),
      ]);
      const label = `${payload.model}${'text_pairs' in payload ? ' pairs' : ''}`;
      expect({ label, status: a.statusCode }).toEqual({ label, status: 200 });
      const results = (response: typeof a) => response.json<{ results: Answer[] }>().results;
      expect(results(a)).toHaveLength(texts.length);
      expectSameAnswers(results(a), results(b));
      expect(threads.completed()).toBeGreaterThan(before);
    }
  });
});
