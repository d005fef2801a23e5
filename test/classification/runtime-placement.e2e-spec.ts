import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INFERENCE_WORKER_SCRIPT } from '../jest/inference-worker';
import { startTestApp, type TestApp } from '../helpers/test-app';

interface ListedModel {
  readonly name: string;
  readonly workers: number;
}

async function workersByModel(sut: TestApp): Promise<Record<string, number>> {
  const response = await sut.inject({ method: 'GET', url: '/models' });
  const { models } = response.json<{ models: ListedModel[] }>();
  return Object.fromEntries(models.map((model) => [model.name, model.workers]));
}

describe('where models run (INFERENCE_WORKERS)', () => {
  it('unset: a tiny model stays on the event loop, a transformer gets two worker threads', async () => {
    const sut = await startTestApp({ MODELS: 'spam-en,bert-bench' });
    try {
      // Decided from the graphs, not from a timing: spam-en has 74,112 dense weights and no
      // attention, bert-bench has attention.
      expect(await workersByModel(sut)).toEqual({ 'spam-en': 0, 'bert-bench': 2 });
    } finally {
      await sut.close();
    }
  });

  it('set: every model gets exactly that many workers, 0 meaning the event loop', async () => {
    const inline = await startTestApp({ MODELS: 'spam-en,bert-bench', INFERENCE_WORKERS: '0' });
    try {
      expect(await workersByModel(inline)).toEqual({ 'spam-en': 0, 'bert-bench': 0 });
    } finally {
      await inline.close();
    }
    const pooled = await startTestApp({ MODELS: 'spam-en', INFERENCE_WORKERS: '3' });
    try {
      expect(await workersByModel(pooled)).toEqual({ 'spam-en': 3 });
      const response = await pooled.inject({
        method: 'POST',
        url: '/classify',
        payload: { text: 'WINNER!! Claim your free prize now, call 0800 123 456' },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ label: 'spam', cached: false });
    } finally {
      await pooled.close();
    }
  });

  it('answers /health while a batch runs in the workers', async () => {
    // The real worker, except that a run of more than two texts (the load-time runs have at most
    // two) holds its thread until the test opens the gate: the run is in flight for exactly as
    // long as the test needs, however fast or slow the machine is.
    const dir = mkdtempSync(join(tmpdir(), 'sift-gate-'));
    const gate = join(dir, 'open');
    const script = join(dir, 'gated-worker.cjs');
    writeFileSync(
      script,
      [
        "const { existsSync } = require('node:fs');",
        "const { parentPort } = require('node:worker_threads');",
        'const pause = new Int32Array(new SharedArrayBuffer(4));',
        "parentPort.on('message', (message) => {",
        "  if (message.type !== 'run' || message.lengths.length <= 2) return;",
        `  while (!existsSync(${JSON.stringify(gate)})) Atomics.wait(pause, 0, 0, 5);`,
        '});',
        `require(${JSON.stringify(INFERENCE_WORKER_SCRIPT)});`,
      ].join('\n'),
    );
    const sut = await startTestApp(
      {
        MODELS: 'bert-bench',
        INFERENCE_WORKERS: '2',
        INFERENCE_WORKER_SCRIPT: script,
        CACHE_ENABLED: 'false',
        MAX_BATCH_TOKENS: '16384',
      },
      { listen: true },
    );
    try {
      const texts = Array.from({ length: 8 }, (_, i) => `message number ${i} for the batch`);
      let settled = false;
      const classify = sut
        .inject({ method: 'POST', url: '/classify/batch', payload: { texts } })
        .finally(() => {
          settled = true;
        });
      while (sut.inference.resolveModel('bert-bench').batcher.stats().inFlight === 0) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      // Over a real socket: its bytes wait for the event loop like any client's. On the event
      // loop the gated run would hold this answer until the gate opened, which never happens.
      const health = await fetch(`${sut.baseUrl}/health`);

      expect(health.status).toBe(200);
      expect(settled).toBe(false);
      expect(sut.inference.resolveModel('bert-bench').batcher.stats().inFlight).toBeGreaterThan(0);

      writeFileSync(gate, '');
      const batch = await classify;
      expect(batch.statusCode).toBe(200);
      expect(batch.json<{ results: unknown[] }>().results).toHaveLength(texts.length);
    } finally {
      writeFileSync(gate, '');
      await sut.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 503 with Retry-After when a worker dies mid-run, and serves again after it', async () => {
    // The real worker, except that it exits on a run of several texts over 200 tokens (the
    // load-time runs have one long text or two short ones).
    const dir = mkdtempSync(join(tmpdir(), 'sift-crash-'));
    const script = join(dir, 'crash-on-long-text.cjs');
    writeFileSync(
      script,
      [
        "const { parentPort } = require('node:worker_threads');",
        "parentPort.on('message', (message) => {",
        "  if (message.type === 'run' && message.lengths.length > 1 && message.lengths.every((length) => length > 200)) process.exit(9);",
        '});',
        `require(${JSON.stringify(INFERENCE_WORKER_SCRIPT)});`,
      ].join('\n'),
    );
    // Both texts must share one run whatever the machine's speed: the token budget is set
    // rather than left to the model's defaults.
    const sut = await startTestApp({
      INFERENCE_WORKERS: '1',
      INFERENCE_WORKER_SCRIPT: script,
      CACHE_ENABLED: 'false',
      MAX_BATCH_TOKENS: '16384',
      MAX_PADDING_FRACTION: '1',
    });
    try {
      const long = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
      const lost = await sut.inject({
        method: 'POST',
        url: '/classify/batch',
        payload: { texts: [long, `${long} again`] },
      });
      expect(lost.statusCode).toBe(503);
      expect(lost.headers['retry-after']).toBe('1');
      expect(lost.json()).toMatchObject({
        statusCode: 503,
        message: expect.stringMatching(/retry/),
      });

      const after = await sut.inject({
        method: 'POST',
        url: '/classify',
        payload: { text: 'lunch at noon?' },
      });
      expect(after.statusCode).toBe(200);
    } finally {
      await sut.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
