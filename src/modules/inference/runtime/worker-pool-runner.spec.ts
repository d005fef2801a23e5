import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INFERENCE_WORKER_SCRIPT } from '../../../../test/jest/inference-worker';
import { BERT_BENCH_DIR } from '../../../../tools/bert-bench/bert-bench.builder';
import { SHIPPED_MODELS_DIR } from '../../../../tools/common/model-dirs';
import { ModelLoadError, WorkerLostError } from '../inference.errors';
import { HfTokenizerPreprocessor } from '../preprocessing/hf-tokenizer.preprocessor';
import type { ModelRunner } from './model-runner.interface';
import type { OnnxSessionOptions } from './onnx-graph';
import { OnnxModelRunner } from './onnx-model-runner';
import { WorkerPoolRunner } from './worker-pool-runner';

const MODELS = SHIPPED_MODELS_DIR;
const SPAM_DIR = join(MODELS, 'spam-en');
const SPAM_GRAPH = join(SPAM_DIR, 'onnx', 'model.onnx');
const BERT_DIR = BERT_BENCH_DIR;
const BERT_GRAPH = join(BERT_DIR, 'onnx', 'model.onnx');

const SESSION: OnnxSessionOptions = {
  executionProviders: ['cpu'],
  intraOpThreads: 0,
  interOpThreads: 0,
  allowSpinning: false,
};

const TEXTS = [
  'Congratulations! You have won a free cruise, call now to claim your prize',
  'Can we move tomorrow’s meeting to 3pm? I need to finish the report first.',
  'ok',
  'Limited offer: cheap meds online, no prescription needed!!!',
];

const runners: ModelRunner[] = [];
const tempDirs: string[] = [];

afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.release()));
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function pool(
  dir: string,
  graph: string,
  size: number,
  script = INFERENCE_WORKER_SCRIPT,
  onWorkerLost?: (reason: string) => void,
): Promise<WorkerPoolRunner> {
  const runner = await WorkerPoolRunner.create(dir, graph, SESSION, {
    size,
    depth: 2,
    script,
    onWorkerLost,
  });
  runners.push(runner);
  return runner;
}

async function encode(dir: string, texts: readonly string[], maxLength = 512): Promise<number[][]> {
  const tokenizer = HfTokenizerPreprocessor.load(dir, maxLength);
  return Promise.all(texts.map(async (text) => [...(await tokenizer.encode(text)).ids]));
}

/** Counts event-loop turns until `work` settles: zero-ish when the loop is blocked. */
async function loopTurnsDuring(work: Promise<unknown>): Promise<number> {
  let turns = 0;
  let done = false;
  const settled = work.finally(() => (done = true));
  while (!done) {
    await new Promise<void>((next) => setImmediate(next));
    turns++;
  }
  await settled;
  return turns;
}

describe('WorkerPoolRunner', () => {
  it('gives the same logits as a session on the calling thread', async () => {
    const rows = await encode(SPAM_DIR, TEXTS);
    const inThread = await OnnxModelRunner.create(SPAM_DIR, SPAM_GRAPH, SESSION);
    runners.push(inThread);
    const workers = await pool(SPAM_DIR, SPAM_GRAPH, 2);

    const expected = await inThread.run(rows, 0);
    const actual = await workers.run(rows, 0);
    expect(actual.width).toBe(expected.width);
    expect([...actual.data]).toEqual([...expected.data]);
    expect(workers.provider).toBe('cpu');
    expect(workers.fallbacks).toEqual([]);
  });

  it('runs more batches than it has workers, each with its own answer', async () => {
    const rows = await encode(SPAM_DIR, TEXTS);
    const workers = await pool(SPAM_DIR, SPAM_GRAPH, 2);
    const single = await Promise.all(rows.map((row) => workers.run([row], 0)));
    // Twelve runs at once on two workers: the rest wait their turn, none is lost or swapped.
    const concurrent = await Promise.all(
      Array.from({ length: 12 }, (_, index) => workers.run([rows[index % rows.length]], 0)),
    );
    concurrent.forEach((logits, index) => {
      expect([...logits.data]).toEqual([...single[index % rows.length].data]);
    });
  });

  it('keeps the event loop turning while a long batch runs', async () => {
    const long = 'This message repeats itself to fill the whole sequence. '.repeat(80);
    const rows = await encode(
      BERT_DIR,
      Array.from({ length: 16 }, (_, index) => `${index} ${long}`),
    );
    const inThread = await OnnxModelRunner.create(BERT_DIR, BERT_GRAPH, SESSION);
    runners.push(inThread);
    const workers = await pool(BERT_DIR, BERT_GRAPH, 1);

    // The same batch: on the calling thread the loop stops for the whole run.
    const blockedTurns = await loopTurnsDuring(inThread.run(rows, 0));
    const freeTurns = await loopTurnsDuring(workers.run(rows, 0));
    expect(blockedTurns).toBeLessThanOrEqual(3);
    expect(freeTurns).toBeGreaterThan(blockedTurns * 10);
  });

  it('reports a broken graph as a ModelLoadError naming the folder and file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sift-worker-'));
    tempDirs.push(dir);
    const graph = join(dir, 'model.onnx');
    writeFileSync(graph, 'not an onnx graph');
    const failure = await pool(dir, graph, 2).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ModelLoadError);
    expect((failure as ModelLoadError).message).toContain(dir);
    expect((failure as ModelLoadError).file).toBe('model.onnx');
  });

  it('fails the run of a worker that dies, replaces the worker, and goes on serving', async () => {
    // A worker that serves normally but exits on a batch padded with id -1.
    const dir = mkdtempSync(join(tmpdir(), 'sift-worker-'));
    tempDirs.push(dir);
    const crashing = join(dir, 'crashing-worker.cjs');
    writeFileSync(
      crashing,
      [
        "const { parentPort } = require('node:worker_threads');",
        "parentPort.on('message', (message) => {",
        "  if (message.type === 'run' && message.padId === -1) process.exit(7);",
        '});',
        `require(${JSON.stringify(INFERENCE_WORKER_SCRIPT)});`,
      ].join('\n'),
    );
    const lost: string[] = [];
    const workers = await pool(SPAM_DIR, SPAM_GRAPH, 1, crashing, (reason) => lost.push(reason));
    const [row] = await encode(SPAM_DIR, TEXTS.slice(0, 1));
    const before = await workers.run([row], 0);

    const lostRun = await workers.run([row], -1).catch((error: unknown) => error);
    expect(lostRun).toBeInstanceOf(WorkerLostError);
    expect((lostRun as WorkerLostError).detail).toMatch(/stopped: it exited with code 7/);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toContain(SPAM_DIR);

    // The replacement loads the model again; the next run waits for it.
    const after = await workers.run([row], 0);
    expect([...after.data]).toEqual([...before.data]);
  });

  it('refuses work after release', async () => {
    const workers = await pool(SPAM_DIR, SPAM_GRAPH, 2);
    await workers.release();
    await expect(workers.run([[101, 102]], 0)).rejects.toThrow(/released/);
  });
});
