/**
 * Reference 1, run as a child process: the model through onnxruntime-node in-process,
 * pre-tokenized, no HTTP — the most texts/s this model can give on this machine. Prints one
 * JSON line (a CeilingResult) on stdout.
 *
 *   tsx bench/ceiling.ts --model-dir models/bert-bench --texts texts.json \
 *     --batch-sizes 1,8,32,64 --duration 5 [--intra-op 0] [--tokenize]
 *
 * `--tokenize` times tokenizing and building the tensors too, batch by batch: the
 * tokenizer-bound ceiling, for models whose graph costs less than their tokenizer.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { CeilingPoint, CeilingResult } from './bench-result';
import { BenchTokenizer } from './bench-tokenizer';

const WARMUP_RUNS = 2;

type Feeds = Record<string, Tensor>;

interface PreparedBatch {
  readonly feeds: Feeds;
  readonly rows: number;
  readonly realTokens: number;
  readonly paddedTokens: number;
}

/** Builds the inputs the graph declares, padded to the batch's longest row, as Sift does. */
function buildBatch(
  session: InferenceSession,
  rows: readonly (readonly number[])[],
  padId: number,
): PreparedBatch {
  const sequence = rows.reduce((max, row) => Math.max(max, row.length), 1);
  const size = rows.length * sequence;
  const feeds: Feeds = {};
  for (const meta of session.inputMetadata) {
    const type = meta.isTensor ? meta.type : undefined;
    const values = new Array<number>(size).fill(0);
    rows.forEach((row, r) => {
      for (let c = 0; c < sequence; c++) {
        const present = c < row.length;
        if (meta.name === 'input_ids') values[r * sequence + c] = present ? row[c] : padId;
        else if (meta.name === 'attention_mask') values[r * sequence + c] = present ? 1 : 0;
      }
    });
    const dims = [rows.length, sequence];
    feeds[meta.name] =
      type === 'int32'
        ? new Tensor('int32', Int32Array.from(values), dims)
        : new Tensor(
            'int64',
            BigInt64Array.from(values, (value) => BigInt(value)),
            dims,
          );
  }
  const realTokens = rows.reduce((sum, row) => sum + row.length, 0);
  return { feeds, rows: rows.length, realTokens, paddedTokens: size };
}

/**
 * Runs `batchAt(0)`, `batchAt(1)`, … one at a time until the clock runs out, like Sift with
 * INFERENCE_CONCURRENCY=1. What `batchAt` does (hand out a prepared batch, or tokenize and
 * build one) is part of what is timed.
 */
async function measure(
  session: InferenceSession,
  batchAt: (run: number) => PreparedBatch,
  durationS: number,
): Promise<{ texts: number; runs: number; seconds: number; real: number; padded: number }> {
  for (let i = 0; i < WARMUP_RUNS; i++) await session.run(batchAt(i).feeds);
  let texts = 0;
  let runs = 0;
  let real = 0;
  let padded = 0;
  const started = performance.now();
  const deadline = started + durationS * 1000;
  while (performance.now() < deadline) {
    const batch = batchAt(runs);
    await session.run(batch.feeds);
    texts += batch.rows;
    real += batch.realTokens;
    padded += batch.paddedTokens;
    runs++;
  }
  return { texts, runs, seconds: (performance.now() - started) / 1000, real, padded };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'model-dir': { type: 'string' },
      texts: { type: 'string' },
      'batch-sizes': { type: 'string', default: '1,8,32,64' },
      duration: { type: 'string', default: '5' },
      'intra-op': { type: 'string', default: '0' },
      tokenize: { type: 'boolean', default: false },
    },
  });
  const modelDir = values['model-dir'];
  const textsFile = values.texts;
  if (modelDir === undefined || textsFile === undefined) {
    throw new Error('usage: ceiling.ts --model-dir <dir> --texts <file.json>');
  }
  const batchSizes = values['batch-sizes'].split(',').map(Number);
  const durationS = Number(values.duration);
  const intraOp = Number(values['intra-op']);

  const texts = JSON.parse(readFileSync(textsFile, 'utf8')) as string[];
  const tokenizer = BenchTokenizer.load(modelDir);
  const rows = texts.map((text) => tokenizer.encode(text));
  // The same session options as Sift's OnnxModelRunner.
  // Sift looks for the graph in the same two places, in this order.
  const graph = [join(modelDir, 'model.onnx'), join(modelDir, 'onnx', 'model.onnx')].find(
    existsSync,
  );
  if (graph === undefined) throw new Error(`${modelDir} has no model.onnx`);
  const session = await InferenceSession.create(graph, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    ...(intraOp > 0 ? { intraOpNumThreads: intraOp } : {}),
  });

  const points: CeilingPoint[] = [];
  for (const batchSize of batchSizes) {
    let batchAt: (run: number) => PreparedBatch;
    if (values.tokenize) {
      // Tokenizing and building the tensors is timed with the run (the tokenizer-bound ceiling).
      batchAt = (run) => {
        const start = (run * batchSize) % Math.max(1, texts.length - batchSize);
        const batchRows = texts
          .slice(start, start + batchSize)
          .map((text) => tokenizer.encode(text));
        return buildBatch(session, batchRows, tokenizer.padId);
      };
    } else {
      // Consecutive texts of the stream, as they would arrive; tensors are built beforehand.
      const batches: PreparedBatch[] = [];
      for (let start = 0; start + batchSize <= rows.length; start += batchSize) {
        batches.push(buildBatch(session, rows.slice(start, start + batchSize), tokenizer.padId));
      }
      batchAt = (run) => batches[run % batches.length];
    }
    const run = await measure(session, batchAt, durationS);
    points.push({
      batchSize,
      textsPerSecond: run.texts / run.seconds,
      runs: run.runs,
      paddingEfficiency: run.padded === 0 ? 1 : run.real / run.padded,
    });
  }
  await session.release();
  const best = points.reduce((a, b) => (b.textsPerSecond > a.textsPerSecond ? b : a));
  const result: CeilingResult = {
    model: basename(modelDir),
    bestBatchSize: best.batchSize,
    textsPerSecond: best.textsPerSecond,
    points,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  console.error((error as Error).stack ?? String(error));
  process.exit(1);
});
