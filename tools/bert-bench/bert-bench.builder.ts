import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { GENERATED_MODELS_DIR, SHIPPED_MODELS_DIR } from '../common/model-dirs';
import { bertConfig } from '../hf/model-config';
import { writeBertTokenizerFiles, writeJson } from '../hf/tokenizer-files';
import { bertBenchModelCard } from './bert-bench.model-card';
import { type BertShape, bertEncoderGraph } from './bert-encoder.graph';

/** Where the spam-en tokenizer the bench model reuses lives. */
export const SPAM_EN_DIR = join(SHIPPED_MODELS_DIR, 'spam-en');

/** Options of the benchmark model; the defaults are a 4-layer, 256-wide BERT. */
export interface BertBenchOptions {
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly intermediate: number;
  readonly maxPositions: number;
  /** Pad the spam-en vocabulary with `[unusedN]` entries up to this size (0: keep it as is). */
  readonly padVocabTo: number;
  readonly seed: number;
}

export const BERT_BENCH_DEFAULTS: BertBenchOptions = {
  layers: 4,
  hidden: 256,
  heads: 4,
  intermediate: 1024,
  maxPositions: 512,
  padVocabTo: 0,
  seed: 42,
};

/** distilbert-base-uncased's size (6 × 768, 12 heads, 3072, 30,522 entries) with BERT's layout. */
export const BERT_BENCH_DISTILBERT: BertBenchOptions = {
  ...BERT_BENCH_DEFAULTS,
  layers: 6,
  hidden: 768,
  heads: 12,
  intermediate: 3072,
  padVocabTo: 30522,
};

export const BERT_BENCH_DIR = join(GENERATED_MODELS_DIR, 'bert-bench');
export const BERT_BENCH_DISTILBERT_DIR = join(GENERATED_MODELS_DIR, 'bert-bench-distilbert');

/**
 * Writes a bench model folder (config, tokenizer files, onnx/model.onnx, README.md). The folder
 * is assembled beside `dir` and renamed into place, so a reader never sees half a model.
 */
export function buildBertBenchModel(
  dir: string,
  options: BertBenchOptions = BERT_BENCH_DEFAULTS,
): void {
  const vocab = paddedVocabulary(readSpamEnVocabulary(), options.padVocabTo);
  const shape: BertShape = {
    vocabSize: vocab.length,
    hidden: options.hidden,
    layers: options.layers,
    heads: options.heads,
    intermediate: options.intermediate,
    maxPositions: options.maxPositions,
    labels: 2,
  };
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeBertTokenizerFiles(staging, { vocab, modelMaxLength: options.maxPositions });
  writeJson(
    join(staging, 'config.json'),
    bertConfig({
      labels: ['LABEL_0', 'LABEL_1'],
      vocabSize: vocab.length,
      hiddenSize: options.hidden,
      numHiddenLayers: options.layers,
      numAttentionHeads: options.heads,
      intermediateSize: options.intermediate,
      maxPositionEmbeddings: options.maxPositions,
      extra: { sift_bench_options: { ...options } },
    }),
  );
  writeFileSync(join(staging, 'README.md'), bertBenchModelCard(shape));
  bertEncoderGraph(
    shape,
    options.seed,
    'Sift bert-bench: random-weight BERT for speed measurements',
  ).save(join(staging, 'onnx', 'model.onnx'));
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
}

/**
 * Builds the bench model into `dir` unless a complete one with the same options is there.
 * Returns true when it had to build. Used by Jest's global setup and the benchmark harness.
 */
export function ensureBertBenchModel(
  dir = BERT_BENCH_DIR,
  options: BertBenchOptions = BERT_BENCH_DEFAULTS,
): boolean {
  if (isBuiltWith(dir, options)) return false;
  buildBertBenchModel(dir, options);
  return true;
}

function isBuiltWith(dir: string, options: BertBenchOptions): boolean {
  const configPath = join(dir, 'config.json');
  if (!existsSync(join(dir, 'onnx', 'model.onnx')) || !existsSync(configPath)) return false;
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as { sift_bench_options?: unknown };
  return JSON.stringify(config.sift_bench_options) === JSON.stringify(options);
}

/** The spam-en vocabulary in id order, read from its tokenizer.json. */
export function readSpamEnVocabulary(dir = SPAM_EN_DIR): string[] {
  const path = join(dir, 'tokenizer.json');
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run models:build\` first`);
  const json = JSON.parse(readFileSync(path, 'utf8')) as {
    model: { vocab: Record<string, number> };
  };
  const vocab: string[] = [];
  for (const [token, id] of Object.entries(json.model.vocab)) vocab[id] = token;
  return vocab;
}

function paddedVocabulary(vocab: readonly string[], size: number): string[] {
  const out = [...vocab];
  for (let i = 0; out.length < size; i++) out.push(`[unused${i}]`);
  return out;
}
