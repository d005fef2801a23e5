import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import {
  BERT_BENCH_DEFAULTS,
  BERT_BENCH_DIR,
  BERT_BENCH_DISTILBERT,
  BERT_BENCH_DISTILBERT_DIR,
  type BertBenchOptions,
  buildBertBenchModel,
} from './bert-bench/bert-bench.builder';
import { linkCombinedModels } from './common/model-dirs';

const USAGE =
  'usage: npm run models:bench -- [--preset distilbert] [--layers N] [--hidden N] [--heads N] [--intermediate N] [--out DIR]';

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`--${name} must be a positive integer, got ${value}\n${USAGE}`);
  return n;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      preset: { type: 'string' },
      layers: { type: 'string' },
      hidden: { type: 'string' },
      heads: { type: 'string' },
      intermediate: { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
  });
  if (values.preset !== undefined && values.preset !== 'distilbert') {
    throw new Error(`unknown --preset ${values.preset}\n${USAGE}`);
  }
  const preset = values.preset === 'distilbert' ? BERT_BENCH_DISTILBERT : BERT_BENCH_DEFAULTS;
  const options: BertBenchOptions = {
    ...preset,
    layers: positiveInt('layers', values.layers, preset.layers),
    hidden: positiveInt('hidden', values.hidden, preset.hidden),
    heads: positiveInt('heads', values.heads, preset.heads),
    intermediate: positiveInt('intermediate', values.intermediate, preset.intermediate),
  };
  const dir = values.out
    ? resolve(values.out)
    : values.preset === 'distilbert'
      ? BERT_BENCH_DISTILBERT_DIR
      : BERT_BENCH_DIR;
  const started = performance.now();
  buildBertBenchModel(dir, options);
  linkCombinedModels();
  const { layers, hidden, heads, intermediate } = options;
  console.log(
    `bert-bench: ${layers} layers, hidden ${hidden}, ${heads} heads, intermediate ${intermediate} → ${dir} ` +
      `(${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
}

try {
  main();
} catch (error) {
  // Usage mistakes read better as one message than as a stack trace.
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
