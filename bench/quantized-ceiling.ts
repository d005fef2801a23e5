/**
 * `npm run bench:quantized`: the raw ONNX Runtime ceiling of a model's q8 graph beside its fp32
 * graph, in one process, rounds alternating (fp32, q8, q8, fp32, …) so a shared machine's load
 * drift falls on both alike; the ratio reported is the median of adjacent-pair ratios. Also
 * lists the fused kernels ONNX Runtime's optimizer produced for each graph.
 *
 *   tsx bench/quantized-ceiling.ts [--model bert-bench] [--rounds 6] [--round-seconds 2]
 *     [--shapes 300x1,128x8,16x32] [--weights int7|int8|uint8] [--per-channel] [--threads N]
 *
 * With `--weights` or `--per-channel` the q8 graph is quantized in memory that way, even where
 * a model_quantized.onnx exists, to compare the quantizer's formats on this CPU.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { onnx } from 'onnx-proto';

import { describeCpu } from '../src/modules/inference/runtime/cpu-features';
import { WEIGHT_FORMATS, type WeightFormat } from '../tools/onnx/quantize/int8-weights';
import { quantizeModel } from '../tools/onnx/quantize/quantize-model';
import { BenchTokenizer } from './bench-tokenizer';
import { ensureModel, modelDir } from './servers';
import { exactLengthTexts, loadBenchTexts } from './text-sets';

/**
 * Default shapes (`tokens x batch`): what Sift dispatches for long texts (one at a time) and for
 * short ones. `--shapes 128x1,8x1` gives the Infinity comparison's batch-1 requests.
 */
const DEFAULT_SHAPES = '300x1,128x8,16x32';

function parseShapes(raw: string): { tokens: number; batch: number }[] {
  return raw.split(',').map((item) => {
    const [tokens, batch] = item.split('x').map(Number);
    if (!Number.isInteger(tokens) || !Number.isInteger(batch) || tokens < 3 || batch < 1)
      throw new Error(`--shapes: "${item}" is not <tokens>x<batch>`);
    return { tokens, batch };
  });
}

/** Ops worth naming when reading the optimized graph: integer kernels and transformer fusions. */
const FUSED_OPS = [
  'DynamicQuantizeMatMul',
  'MatMulIntegerToFloat',
  'MatMulInteger',
  'Attention',
  'MultiHeadAttention',
  'SkipLayerNormalization',
  'BiasGelu',
  'Gelu',
  'FastGelu',
  'FusedMatMul',
];

type Feeds = Record<string, Tensor>;

function feedsFor(session: InferenceSession, rows: readonly number[][], padId: number): Feeds {
  const sequence = Math.max(...rows.map((row) => row.length));
  const dims = [rows.length, sequence];
  const ids = new BigInt64Array(rows.length * sequence).fill(BigInt(padId));
  const mask = new BigInt64Array(rows.length * sequence);
  rows.forEach((row, r) =>
    row.forEach((id, c) => {
      ids[r * sequence + c] = BigInt(id);
      mask[r * sequence + c] = 1n;
    }),
  );
  const byName: Record<string, BigInt64Array> = {
    input_ids: ids,
    attention_mask: mask,
    token_type_ids: new BigInt64Array(rows.length * sequence),
  };
  return Object.fromEntries(
    session.inputNames.map((name) => [name, new Tensor('int64', byName[name], dims)]),
  );
}

async function textsPerSecond(
  session: InferenceSession,
  batches: readonly Feeds[],
  batchSize: number,
  seconds: number,
): Promise<number> {
  let runs = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    await session.run(batches[runs % batches.length]);
    runs++;
  }
  return (runs * batchSize * 1000) / (performance.now() - started);
}

async function fusedOps(graph: Uint8Array): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sift-fused-'));
  try {
    const path = join(dir, 'optimized.onnx');
    const session = await InferenceSession.create(graph, {
      graphOptimizationLevel: 'all',
      optimizedModelFilePath: path,
    });
    await session.release();
    const counts = new Map<string, number>();
    for (const node of onnx.ModelProto.decode(readFileSync(path)).graph?.node ?? []) {
      const op = node.opType ?? '';
      if (FUSED_OPS.includes(op)) counts.set(op, (counts.get(op) ?? 0) + 1);
    }
    return [...counts].map(([op, n]) => `${n} ${op}`).join(', ') || 'none';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'bert-bench' },
      rounds: { type: 'string', default: '6' },
      'round-seconds': { type: 'string', default: '2' },
      shapes: { type: 'string', default: DEFAULT_SHAPES },
      weights: { type: 'string' },
      'per-channel': { type: 'boolean', default: false },
      threads: { type: 'string' },
    },
  });
  const weightFormat = values.weights;
  if (weightFormat !== undefined && !(WEIGHT_FORMATS as readonly string[]).includes(weightFormat))
    throw new Error(`--weights: "${weightFormat}" is not one of ${WEIGHT_FORMATS.join(', ')}`);
  const scheme = {
    weightFormat: weightFormat as WeightFormat | undefined,
    perChannel: values['per-channel'],
  };
  const chosen = weightFormat !== undefined || scheme.perChannel;
  const rounds = Number(values.rounds);
  const roundSeconds = Number(values['round-seconds']);
  ensureModel(values.model, (message) => console.log(message));
  console.log(`CPU: ${describeCpu()}`);
  const dir = modelDir(values.model);
  const floatPath = join(dir, 'onnx', 'model.onnx');
  const quantizedPath = join(dir, 'onnx', 'model_quantized.onnx');
  const float = readFileSync(floatPath);
  // The file Sift would serve when there is one; otherwise a fresh in-memory quantization.
  const quantized =
    existsSync(quantizedPath) && !chosen
      ? readFileSync(quantizedPath)
      : quantizeModel(float, scheme).bytes;
  console.log(
    `${values.model}: fp32 ${(float.length / 1e6).toFixed(2)} MB, q8 ${(quantized.length / 1e6).toFixed(2)} MB (${((100 * quantized.length) / float.length).toFixed(1)}%)`,
  );
  console.log(`  fused, fp32: ${await fusedOps(float)}`);
  console.log(`  fused, q8:   ${await fusedOps(quantized)}`);

  const options: InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    ...(values.threads === undefined ? {} : { intraOpNumThreads: Number(values.threads) }),
  };
  const sessions = {
    fp32: await InferenceSession.create(float, options),
    q8: await InferenceSession.create(quantized, options),
  };
  const tokenizer = BenchTokenizer.load(dir);
  const source = loadBenchTexts().distinct;
  console.log(`  ${rounds} alternating rounds of ${roundSeconds} s per graph and shape`);
  console.log('  tokens  batch  fp32 texts/s  q8 texts/s  q8/fp32 (median of pairs)');
  for (const shape of parseShapes(values.shapes)) {
    const texts = exactLengthTexts(source, tokenizer, shape.tokens, shape.batch * 16);
    const rows = texts.map((text) => tokenizer.encode(text));
    const batchesOf = (session: InferenceSession): Feeds[] =>
      Array.from({ length: Math.floor(rows.length / shape.batch) }, (_, i) =>
        feedsFor(session, rows.slice(i * shape.batch, (i + 1) * shape.batch), tokenizer.padId),
      );
    const batches = { fp32: batchesOf(sessions.fp32), q8: batchesOf(sessions.q8) };
    for (const variant of ['fp32', 'q8'] as const) {
      await textsPerSecond(sessions[variant], batches[variant], shape.batch, 0.5);
    }
    const rates = { fp32: [] as number[], q8: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (['fp32', 'q8'] as const) : (['q8', 'fp32'] as const);
      for (const variant of order) {
        rates[variant].push(
          await textsPerSecond(sessions[variant], batches[variant], shape.batch, roundSeconds),
        );
      }
    }
    const ratio = median(rates.q8.map((q, i) => q / rates.fp32[i]));
    console.log(
      `  ${String(shape.tokens).padStart(6)}  ${String(shape.batch).padStart(5)}  ${median(rates.fp32).toFixed(1).padStart(12)}  ${median(rates.q8).toFixed(1).padStart(10)}  ${ratio.toFixed(2)}×`,
    );
  }
  await Promise.all(Object.values(sessions).map((s) => s.release()));
}

main().catch((error: unknown) => {
  console.error((error as Error).stack ?? String(error));
  process.exitCode = 1;
});
