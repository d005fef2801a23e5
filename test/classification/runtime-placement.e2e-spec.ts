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
      // spam-en runs 512 tokens in about 0.2 ms, bert-bench in tens of ms (budget: 1 ms).
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

  it('answers /health while a long batch runs in the workers', async () => {
    // One run of all 24 texts (about a second here), which on the event loop would block it.
    const sut = await startTestApp(
      { MODELS: 'bert-bench', CACHE_ENABLED: 'false', MAX_BATCH_TOKENS: '16384' },
      { listen: true },
    );
    try {
      const long = Array.from({ length: 600 }, (_, i) => `token${i}`).join(' ');
      const texts = Array.from({ length: 24 }, (_, i) => `${i} ${long}`);
      const classifyStart = performance.now();
      const classify = sut
        .inject({ method: 'POST', url: '/classify/batch', payload: { texts } })
        .then((response) => ({ response, ms: performance.now() - classifyStart }));
      // Ask for health only once the run has been handed to the runtime.
      while ((sut.inference.batcherStats('bert-bench')?.inFlight ?? 0) === 0) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      const healthStart = performance.now();
      // Over a real socket: its bytes wait for the event loop like any client's.
      const health = await fetch(`${sut.baseUrl}/health`);
      const healthMs = performance.now() - healthStart;
      const batch = await classify;
      expect(health.status).toBe(200);
      expect(batch.response.statusCode).toBe(200);
      // On the event loop, /health would wait for the whole run; in a worker it does not.
      expect(healthMs * 4).toBeLessThan(batch.ms);
    } finally {
      await sut.close();
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
    const sut = await startTestApp({
      INFERENCE_WORKERS: '1',
      INFERENCE_WORKER_SCRIPT: script,
      CACHE_ENABLED: 'false',
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
