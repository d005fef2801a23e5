import { jest } from '@jest/globals';
import type { Logits } from '../runtime/model-runner.interface';
import type { BatcherOptions, EncodedBatchInput, RunTexts, SubmitOptions } from './batcher.types';
import { DynamicBatcher } from './dynamic-batcher';

/** A runner whose logits are a pure function of the ids, and whose runs we can hold open. */
function recordingRunner() {
  const runs: number[][][] = [];
  const gates: (() => void)[] = [];
  let holdRuns = false;
  const run = async (rows: readonly (readonly number[])[]): Promise<Logits> => {
    runs.push(rows.map((row) => [...row]));
    if (holdRuns) await new Promise<void>((resolve) => gates.push(resolve));
    const data = new Float32Array(rows.length * 2);
    rows.forEach((row, index) => {
      data[index * 2] = row.reduce((sum, id) => sum + id, 0);
      data[index * 2 + 1] = row.length;
    });
    return { data, width: 2 };
  };
  return {
    run,
    runs,
    hold: () => (holdRuns = true),
    releaseAll: () => {
      holdRuns = false;
      gates.splice(0).forEach((open) => open());
    },
  };
}

const OPTIONS: BatcherOptions = {
  maxBatchSize: 4,
  maxBatchTokens: 1000,
  maxBatchDelayMs: 0,
  maxPaddingFraction: 0.5,
  concurrency: 1,
  maxQueueTexts: 100,
};

const SUBMIT: SubmitOptions = {
  timeoutMs: 10_000,
  onTimeout: () => new Error('timeout'),
  onQueueFull: () => new Error('queue full'),
};

const input = (key: string, ids: number[]): EncodedBatchInput => ({ key, ids });

describe(DynamicBatcher.name, () => {
  it('dispatches a lone text at once when idle', async () => {
    const runner = recordingRunner();
    const sut = new DynamicBatcher(OPTIONS, runner.run);
    const [row] = await sut.submit([input('a', [1, 2, 3])], SUBMIT);
    expect(Array.from(row.logits)).toEqual([6, 3]);
    expect(row.truncated).toBeUndefined();
    expect(runner.runs).toEqual([[[1, 2, 3]]]);
  });

  it('batches texts that arrive while a run is in flight, and keeps each caller’s order', async () => {
    const runner = recordingRunner();
    const sut = new DynamicBatcher(OPTIONS, runner.run);
    runner.hold();
    const first = sut.submit([input('a', [1])], SUBMIT);
    const second = sut.submit([input('b', [2]), input('c', [3])], SUBMIT);
    const third = sut.submit([input('d', [4])], SUBMIT);
    runner.releaseAll();
    await first;
    runner.releaseAll();
    const [secondRows, thirdRows] = await Promise.all([second, third]);
    expect(secondRows.map((row) => row.logits[0])).toEqual([2, 3]);
    expect(thirdRows.map((row) => row.logits[0])).toEqual([4]);
    expect(runner.runs).toHaveLength(2);
    expect(runner.runs[1].map((row) => row[0]).sort()).toEqual([2, 3, 4]);
  });

  it('never puts more than maxBatchSize rows in one run', async () => {
    const runner = recordingRunner();
    const sut = new DynamicBatcher({ ...OPTIONS, maxBatchSize: 3 }, runner.run);
    const texts = Array.from({ length: 10 }, (_, i) => input(`t${i}`, [i + 1]));
    const rows = await sut.submit(texts, SUBMIT);
    expect(rows.map((row) => row.logits[0])).toEqual(texts.map((text) => text.ids[0]));
    expect(Math.max(...runner.runs.map((run) => run.length))).toBeLessThanOrEqual(3);
    expect(runner.runs.flat()).toHaveLength(10);
  });

  it('respects the padded-token budget', async () => {
    const runner = recordingRunner();
    const sut = new DynamicBatcher({ ...OPTIONS, maxBatchTokens: 20 }, runner.run);
    const long = Array.from({ length: 10 }, (_, i) => i + 1);
    await sut.submit(
      [input('a', long), input('b', long.slice(1)), input('c', long.slice(2))],
      SUBMIT,
    );
    for (const run of runner.runs) {
      const longest = Math.max(...run.map((row) => row.length));
      expect(longest * run.length).toBeLessThanOrEqual(20);
    }
  });

  it('computes identical texts of one batch once', async () => {
    const runner = recordingRunner();
    const sut = new DynamicBatcher(OPTIONS, runner.run);
    const rows = await sut.submit(
      [input('same', [7]), input('same', [7]), input('other', [8])],
      SUBMIT,
    );
    expect(rows.map((row) => row.logits[0])).toEqual([7, 7, 8]);
    expect(runner.runs.flat()).toHaveLength(2);
  });

  it('rejects a request that would overflow the queue without queueing any of it', async () => {
    const runner = recordingRunner();
    const sut = new DynamicBatcher({ ...OPTIONS, maxQueueTexts: 2 }, runner.run);
    await expect(
      sut.submit([input('a', [1]), input('b', [2]), input('c', [3])], SUBMIT),
    ).rejects.toThrow('queue full');
    expect(sut.stats().queueDepth).toBe(0);
    expect(runner.runs).toHaveLength(0);
  });

  it('times out a waiting request and drops its unstarted texts from the queue', async () => {
    const runner = recordingRunner();
    const sut = new DynamicBatcher({ ...OPTIONS, maxBatchSize: 1 }, runner.run);
    runner.hold();
    const running = sut.submit([input('a', [1])], SUBMIT);
    const waiting = sut.submit([input('b', [2]), input('c', [3])], { ...SUBMIT, timeoutMs: 20 });
    await expect(waiting).rejects.toThrow('timeout');
    expect(sut.stats().queueDepth).toBe(0);
    runner.releaseAll();
    await running;
    await sut.whenIdle();
    expect(runner.runs.flat().map((row) => row[0])).toEqual([1]);
  });

  it('drops the unstarted texts of an aborted request and rejects it with an AbortError', async () => {
    const runner = recordingRunner();
    const sut = new DynamicBatcher({ ...OPTIONS, maxBatchSize: 1 }, runner.run);
    runner.hold();
    const running = sut.submit([input('a', [1])], SUBMIT);
    const controller = new AbortController();
    const left = sut.submit([input('b', [2]), input('c', [3])], {
      ...SUBMIT,
      signal: controller.signal,
    });
    const staying = sut.submit([input('d', [4])], SUBMIT);
    controller.abort();
    await expect(left).rejects.toMatchObject({ name: 'AbortError' });
    expect(sut.stats().queueDepth).toBe(1);
    runner.releaseAll();
    await Promise.all([running, staying]);
    expect(runner.runs.flat().map((row) => row[0])).toEqual([1, 4]);
  });

  it('refuses texts whose signal is already aborted without queueing them', async () => {
    const runner = recordingRunner();
    const sut = new DynamicBatcher(OPTIONS, runner.run);
    const signal = AbortSignal.abort();
    await expect(sut.submit([input('a', [1])], { ...SUBMIT, signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(runner.runs).toEqual([]);
  });

  it('waits up to maxBatchDelayMs for companions before dispatching', async () => {
    const runner = recordingRunner();
    const sut = new DynamicBatcher({ ...OPTIONS, maxBatchDelayMs: 50 }, runner.run);
    const first = sut.submit([input('a', [1])], SUBMIT);
    const second = sut.submit([input('b', [2])], SUBMIT);
    await Promise.all([first, second]);
    expect(runner.runs).toHaveLength(1);
    expect(runner.runs[0]).toHaveLength(2);
  });

  it('fails every text of a run whose execution throws, and keeps serving afterwards', async () => {
    let shouldFail = true;
    const sut = new DynamicBatcher(OPTIONS, (rows) =>
      shouldFail
        ? Promise.reject(new Error('runtime exploded'))
        : Promise.resolve({ data: new Float32Array(rows.length), width: 1 }),
    );
    await expect(sut.submit([input('a', [1])], SUBMIT)).rejects.toThrow('runtime exploded');
    shouldFail = false;
    await expect(sut.submit([input('a', [1])], SUBMIT)).resolves.toHaveLength(1);
  });
});

describe(`${DynamicBatcher.name} with texts it encodes in the run`, () => {
  /** "Encodes" a text as its character codes and answers like recordingRunner. */
  function textRunner() {
    const calls: string[][] = [];
    const runTexts: RunTexts = (texts) => {
      const words = texts.map((text) => (typeof text === 'string' ? text : text.text));
      calls.push(words);
      const data = new Float32Array(words.length * 2);
      words.forEach((word, index) => {
        data[index * 2] = word.length;
        data[index * 2 + 1] = 100 + index;
      });
      const truncated = Uint8Array.from(words, (word) => (word.length > 5 ? 1 : 0));
      return Promise.resolve({ logits: { data, width: 2 }, truncated, paddedTokens: 7 });
    };
    return { runTexts, calls };
  }
  const text = (key: string, estimatedTokens = 1) => ({ key, text: key, estimatedTokens });

  it('estimates how long its queue takes to clear from recent run times, never under 1 s', async () => {
    const runner = recordingRunner();
    const sut = new DynamicBatcher(OPTIONS, runner.run);
    expect(sut.secondsToClear()).toBe(1);
    let now = 0;
    const clock = jest.spyOn(performance, 'now').mockImplementation(() => now);
    try {
      runner.hold();
      const first = sut.submit([input('a', [1])], SUBMIT);
      now = 1500;
      runner.releaseAll();
      await first;
      await sut.whenIdle();
      runner.hold();
      const running = sut.submit([input('b', [2])], SUBMIT);
      const queued = sut.submit(
        Array.from({ length: 8 }, (_, index) => input(`q${index}`, [index + 10])),
        SUBMIT,
      );
      // Two runs of four ahead, at the 1.5 s the last run took.
      expect(sut.secondsToClear()).toBe(3);
      runner.releaseAll();
      await Promise.all([running, queued]);
    } finally {
      clock.mockRestore();
    }
  });

  it('refuses texts without ids when it has no RunTexts', async () => {
    const sut = new DynamicBatcher(OPTIONS, recordingRunner().run);
    expect(sut.encodesTexts).toBe(false);
    await expect(sut.submit([text('a')], SUBMIT)).rejects.toThrow('encoded texts only');
    expect(sut.stats().queueDepth).toBe(0);
  });

  it('hands a dispatch of texts to one RunTexts call, de-duplicated, with truncation', async () => {
    const encoded = recordingRunner();
    const texts = textRunner();
    const runs: number[] = [];
    const sut = new DynamicBatcher(
      OPTIONS,
      encoded.run,
      { onRun: (record) => runs.push(record.rows, record.paddedTokens) },
      texts.runTexts,
    );
    expect(sut.encodesTexts).toBe(true);
    encoded.hold();
    const blocker = sut.submit([input('held', [1])], SUBMIT);
    const waiting = sut.submit([text('short'), text('longer'), text('short')], SUBMIT);
    encoded.releaseAll();
    await blocker;
    const rows = await waiting;
    expect(texts.calls).toEqual([['short', 'longer']]);
    expect(rows.map((row) => [row.logits[0], row.truncated])).toEqual([
      [5, false],
      [6, true],
      [5, false],
    ]);
    expect(runs).toEqual([1, 1, 2, 7]);
    expect(sut.stats()).toMatchObject({ runs: 2, textsRun: 3, queueDepth: 0 });
  });

  it('runs encoded and unencoded texts of one dispatch each their own way', async () => {
    const encoded = recordingRunner();
    const texts = textRunner();
    const sut = new DynamicBatcher(OPTIONS, encoded.run, {}, texts.runTexts);
    encoded.hold();
    const blocker = sut.submit([input('held', [9])], SUBMIT);
    const mixed = sut.submit([input('ids', [2, 3]), text('word')], SUBMIT);
    encoded.releaseAll();
    await blocker;
    encoded.releaseAll();
    const rows = await mixed;
    expect(rows.map((row) => row.logits[0])).toEqual([5, 4]);
    expect(rows.map((row) => row.truncated)).toEqual([undefined, false]);
    expect(encoded.runs).toEqual([[[9]], [[2, 3]]]);
    expect(texts.calls).toEqual([['word']]);
  });

  it('budgets texts by their estimated tokens', async () => {
    const encoded = recordingRunner();
    const texts = textRunner();
    const sut = new DynamicBatcher(
      { ...OPTIONS, maxBatchTokens: 100 },
      encoded.run,
      {},
      texts.runTexts,
    );
    encoded.hold();
    const blocker = sut.submit([input('held', [1])], SUBMIT);
    const waiting = sut.submit([text('a', 60), text('b', 60), text('c', 10)], SUBMIT);
    encoded.releaseAll();
    await Promise.all([blocker, waiting]);
    expect(texts.calls).toEqual([['a'], ['b'], ['c']]);
  });

  it('fails the texts of a RunTexts call that throws', async () => {
    const sut = new DynamicBatcher(OPTIONS, recordingRunner().run, {}, () =>
      Promise.reject(new Error('thread lost')),
    );
    await expect(sut.submit([text('a')], SUBMIT)).rejects.toThrow('thread lost');
    await sut.whenIdle();
    expect(sut.stats()).toMatchObject({ queueDepth: 0, inFlight: 0 });
  });
});
