import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { postJson, startTestApp, type TestApp } from '../helpers/test-app';
import { ADMIN_API_KEY, loadModel, unloadModel } from './versioned-models';

const CYCLES = 20;

/** A full collection, so RSS reflects what is still referenced rather than garbage. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Live threads of this process (Linux); worker threads and ONNX Runtime's pools count. */
function threadCount(): number | undefined {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    return Number(/^Threads:\s+(\d+)/m.exec(status)?.[1]);
  } catch {
    return undefined;
  }
}

async function settledRss(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    collectGarbage();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage.rss();
}

/**
 * bert-bench (the generated 4-layer BERT) loaded and unloaded again and again: its sessions,
 * worker threads and batcher must really go each time, or RSS grows by a model per cycle.
 */
describe('load/unload cycles of bert-bench', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await startTestApp({ MODELS: 'spam-en', ADMIN_API_KEY, INFERENCE_WORKERS: '2' });
  });
  afterAll(() => sut.close());

  it(`releases every thread and object of each of ${CYCLES} cycles; RSS stays bounded`, async () => {
    const rss: number[] = [];
    const heap: number[] = [];
    const threads: (number | undefined)[] = [];
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      expect((await loadModel(sut, 'bert-bench')).statusCode).toBe(200);
      const answer = await postJson(sut, '/classify', {
        text: `cycle ${cycle}: a sentence for the loaded model`,
        model: 'bert-bench',
      });
      expect(answer.statusCode).toBe(200);
      expect((await unloadModel(sut, 'bert-bench')).statusCode).toBe(200);
      rss.push(await settledRss());
      heap.push(process.memoryUsage().heapUsed);
      threads.push(threadCount());
    }
    const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
    process.stdout.write(
      `RSS after each load/unload cycle (MB): ${rss.map(mb).join(', ')}; ` +
        `last/first ${(rss.at(-1)! / rss[0]).toFixed(3)}; heap used (MB): ${heap.map(mb).join(', ')}; threads: ${threads.join(', ')}\n`,
    );
    // Every worker thread and ONNX Runtime thread pool of each cycle is gone: exact.
    expect(threads.at(-1)).toBe(threads[0]);
    // Nothing JavaScript holds on to grows: the heap after a full collection is exact enough
    // for 10% (97.5 MB after the first cycle, 94.8 after the twentieth in the measured run).
    expect(heap.at(-1)!).toBeLessThanOrEqual(heap[0] * 1.1);
    // RSS also counts memory glibc keeps in its per-thread arenas after ONNX Runtime frees it:
    // each cycle's session threads may leave an arena behind until glibc's cap (8 per core) is
    // reached, then RSS is flat. Measured: 553 -> 1,129 MB over the 20 cycles first in the full
    // suite (flat within 123 MB over the last 10), 516 -> 853 alone, and 449 -> 519 alone with
    // MALLOC_ARENA_MAX=2, so the total ratio says more about arenas than about leaks. A leaked
    // bert-bench (two sessions of its 33 MB of weights plus their arenas, over 60 MB) per cycle
    // grows linearly: over 600 MB across the last 10 cycles, where arenas added at most 152.
    const lastTenCycles = rss.at(-1)! - rss[CYCLES / 2 - 1];
    expect(lastTenCycles).toBeLessThanOrEqual(300 * 2 ** 20);
    // Twenty warm loads of a BERT take minutes on a busy 2-core machine; the bound only stops
    // a hung test.
  }, 900_000);
});
