import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastTextVocab } from '../../src/modules/inference/preprocessing/fasttext-vocab';
import { buildFastTextGraph } from './fasttext-graph.builder';
import { parseFastTextModel, type FastTextModel } from './ftz.parser';

/** fastText's default `-label` prefix; lid.176 uses it. */
export const FASTTEXT_LABEL_PREFIX = '__label__';
const EOS = '</s>';
const VOCAB_FILE = 'fasttext_vocab.json';

export interface FastTextConversion {
  /** Path of the `.bin`/`.ftz` file. */
  readonly source: string;
  /** Model folder to (over)write: `onnx/model.onnx`, `fasttext_vocab.json`, `config.json`. */
  readonly outDir: string;
  /** Stored in the ONNX doc string and metadata, e.g. where the file came from. */
  readonly description: string;
}

export interface ConvertedFastTextModel {
  readonly model: FastTextModel;
  readonly labels: readonly string[];
  /** Bytes written per file, relative to the model folder. */
  readonly files: Readonly<Record<string, number>>;
}

/** Converts a supervised fastText model into a Sift model folder. */
export function convertFastTextModel(conversion: FastTextConversion): ConvertedFastTextModel {
  const bytes = readFileSync(conversion.source);
  const model = parseFastTextModel(bytes);
  const labels = model.dictionary.entries
    .slice(model.dictionary.nwords)
    .map((e) => stripPrefix(Buffer.from(e.word).toString('utf8')));
  const sha256 = createHash('sha256').update(bytes).digest('hex');

  const graph = buildFastTextGraph(model, conversion.description);
  graph
    .setMetadata('fasttext_source_sha256', sha256)
    .setMetadata('fasttext_version', String(model.version));
  const files: Record<string, number> = {};
  files['onnx/model.onnx'] = graph.save(join(conversion.outDir, 'onnx', 'model.onnx'));
  files[VOCAB_FILE] = writeText(
    join(conversion.outDir, VOCAB_FILE),
    JSON.stringify(toVocab(model)),
  );
  files['config.json'] = writeText(
    join(conversion.outDir, 'config.json'),
    `${JSON.stringify(toConfig(labels), null, 2)}\n`,
  );
  files['sift.json'] = writeText(
    join(conversion.outDir, 'sift.json'),
    `${JSON.stringify(SERVING_SETTINGS, null, 2)}\n`,
  );
  return { model, labels, files };
}

function stripPrefix(label: string): string {
  return label.startsWith(FASTTEXT_LABEL_PREFIX)
    ? label.slice(FASTTEXT_LABEL_PREFIX.length)
    : label;
}

function writeText(path: string, text: string): number {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return Buffer.byteLength(text);
}

/** What the runtime preprocessor needs to reproduce fastText's input rows. */
export function toVocab(model: FastTextModel): FastTextVocab {
  const { args, dictionary } = model;
  const words = dictionary.entries.slice(0, dictionary.nwords).map((e) => {
    const word = Buffer.from(e.word).toString('utf8');
    // A word that is not valid UTF-8 can never equal a token of a JS string; JSON could not
    // carry it either. None exist in lid.176, so fail loudly rather than guess.
    if (!Buffer.from(word, 'utf8').equals(Buffer.from(e.word)))
      throw new Error(`word is not valid UTF-8: ${word}`);
    return word;
  });
  const kept = [...dictionary.pruneIdx].sort((a, b) => a[0] - b[0]);
  return {
    format: 'sift-fasttext-vocab/1',
    minn: args.minn,
    maxn: args.maxn,
    bucket: args.bucket,
    word_ngrams: checkedWordNgrams(args.wordNgrams),
    label_prefix: FASTTEXT_LABEL_PREFIX,
    eos: EOS,
    rows: model.input.rows,
    words,
    pruneidx_size: dictionary.pruneIdxSize,
    pruneidx_buckets: kept.map(([bucket]) => bucket),
    pruneidx_rows: kept.map(([, index]) => dictionary.nwords + index),
  };
}

function checkedWordNgrams(wordNgrams: number): 1 {
  if (wordNgrams !== 1) throw new Error(`wordNgrams ${wordNgrams} is not supported (only 1)`);
  return 1;
}

function toConfig(labels: readonly string[]): Record<string, unknown> {
  return {
    model_type: 'fasttext',
    id2label: Object.fromEntries(labels.map((label, id) => [String(id), label])),
    label2id: Object.fromEntries(labels.map((label, id) => [label, id])),
    problem_type: 'single_label_classification',
    // How to read this export (config.json travels with the graph); how to serve it is sift.json's.
    sift: { preprocessor: 'fasttext', vocab_file: VOCAB_FILE, activation: 'exp' },
  };
}

/**
 * sift.json: a bag of n-grams costs time linear in its ids, unlike attention, so MAX_SEQ_LEN
 * (meant for transformers) does not apply: room for MAX_TEXT_CHARS' worth of n-grams instead.
 */
const SERVING_SETTINGS = { max_sequence_length: 65536 };
