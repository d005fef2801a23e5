import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { ensureBuild, freePort, waitFor } from '../helpers/processes';
import { COMBINED_MODELS_DIR, REPO_ROOT } from '../helpers/test-app';
import { ADMIN, ADMIN_API_KEY } from './versioned-models';

const CYCLES = 20;

interface Measurement {
  readonly rss: number;
  readonly heapUsed: number;
  readonly threads: number;
}

/**
 * bert-bench (the generated 4-layer BERT) loaded and unloaded again and again: its sessions,
 * worker threads and batcher must really go each time, or RSS grows by a model per cycle.
 *
 * It runs in a real server process of its own, with glibc's arena cap that the images set
 * (MALLOC_ARENA_MAX=2). In the Jest process the RSS bound was flaky: glibc keeps a per-thread
 * arena behind each cycle's ONNX Runtime threads until its cap of 8 per core is reached, and
 * Jest's own threads share them: 553 -> 1,129 MB over 20 cycles first in the full suite, 516 ->
 * 853 MB alone, growth that depends on which threads ran, not on what leaked. A server process
 * measured 416 -> 528 MB uncapped and 402 -> 481 MB capped.
 */
describe('load/unload cycles of bert-bench', () => {
  let child: ChildProcess | undefined;
  let baseUrl = '';

  beforeAll(async () => {
    ensureBuild();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const server = fork(join(REPO_ROOT, 'dist', 'main.js'), [], {
      cwd: REPO_ROOT,
      execArgv: ['--expose-gc', '--require', join(REPO_ROOT, 'test/lifecycle/memory-probe.cjs')],
      env: {
        ...process.env,
        MALLOC_ARENA_MAX: '2',
        PORT: String(port),
        HOST: '127.0.0.1',
        MODELS_DIR: COMBINED_MODELS_DIR,
        MODELS: 'spam-en',
        ADMIN_API_KEY,
        INFERENCE_WORKERS: '2',
        LOG_LEVEL: 'warn',
        RATE_LIMIT: '0',
        REDIS_URL: '',
        SHUTDOWN_DELAY_MS: '0',
      },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child = server;
    await waitFor(
      async () => {
        if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode}`);
        return fetch(`${baseUrl}/ready`).then(
          (response) => response.ok,
          () => false, // not listening yet
        );
      },
      'the server to be ready',
      120_000,
    );
  }, 180_000);

  afterAll(async () => {
    if (child === undefined || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  });

  async function admin(path: string): Promise<number> {
    const response = await fetch(`${baseUrl}/v2/repository/models/bert-bench/${path}`, {
      method: 'POST',
      headers: { ...ADMIN, 'content-type': 'application/json' },
      body: '{}',
    });
    await response.arrayBuffer();
    return response.status;
  }

  /** The server's memory after full collections; fails at once if the server dies instead. */
  function measure(): Promise<Measurement> {
    const server = child!;
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => {
        server.off('message', onMessage);
        reject(new Error(`the server exited (${String(code)}) instead of reporting its memory`));
      };
      const onMessage = (message: unknown) => {
        server.off('exit', onExit);
        resolve(message as Measurement);
      };
      server.once('exit', onExit);
      server.once('message', onMessage);
      server.send('measure');
    });
  }

  it(`releases every thread and object of each of ${CYCLES} cycles; RSS stays bounded`, async () => {
    const samples: Measurement[] = [];
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      expect(await admin('load')).toBe(200);
      const answer = await fetch(`${baseUrl}/classify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          text: `cycle ${cycle}: a sentence for the loaded model`,
          model: 'bert-bench',
        }),
      });
      expect(answer.status).toBe(200);
      await answer.arrayBuffer();
      expect(await admin('unload')).toBe(200);
      samples.push(await measure());
    }
    const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
    const first = samples[0];
    const last = samples.at(-1)!;
    process.stdout.write(
      `RSS after each load/unload cycle (MB): ${samples.map((s) => mb(s.rss)).join(', ')}; ` +
        `last/first ${(last.rss / first.rss).toFixed(3)}; heap used (MB): ` +
        `${samples.map((s) => mb(s.heapUsed)).join(', ')}; threads: ${samples.map((s) => s.threads).join(', ')}\n`,
    );
    // Every worker thread and ONNX Runtime thread pool of each cycle is gone: exact.
    expect(last.threads).toBe(first.threads);
    // Nothing JavaScript holds on to grows: the heap after a full collection, within 10%.
    expect(last.heapUsed).toBeLessThanOrEqual(first.heapUsed * 1.1);
    // A leaked bert-bench (two sessions of its 33 MB of weights, over 60 MB) per cycle would add
    // over 600 MB across the last ten cycles; with the arenas capped they added next to nothing.
    const lastTenCycles = last.rss - samples[CYCLES / 2 - 1].rss;
    expect(lastTenCycles).toBeLessThanOrEqual(150 * 2 ** 20);
    expect(last.rss).toBeLessThanOrEqual(first.rss * 1.5);
  }, 900_000);
});
