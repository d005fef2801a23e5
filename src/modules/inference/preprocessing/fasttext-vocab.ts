import { z } from 'zod';
import { ModelLoadError } from '../inference.errors';
import { readJsonFile } from '../model/model-config';

/**
 * The vocabulary sidecar written by `tools/fasttext` next to a converted fastText model.
 * Field names follow fastText's own (`minn`, `maxn`, `bucket`, `pruneidx`).
 */
const fastTextVocabSchema = z.object({
  format: z.literal('sift-fasttext-vocab/1'),
  minn: z.number().int().min(0),
  maxn: z.number().int().min(0),
  bucket: z.number().int().positive(),
  /** Only 1 is supported: word n-grams need fastText's 64-bit hash mixing. */
  word_ngrams: z.literal(1),
  label_prefix: z.string().min(1),
  eos: z.string().min(1),
  /** Input-matrix rows; ids are row indices. */
  rows: z.number().int().positive(),
  /** Words in id order: `words[i]` is row `i`. Labels are not listed. */
  words: z.array(z.string()),
  /** fastText's `pruneidx_size_`: -1 when n-grams were never pruned, else the number kept. */
  pruneidx_size: z.number().int().min(-1),
  /** Kept n-gram buckets (`hash % bucket`), ascending, and the input-matrix row of each. */
  pruneidx_buckets: z.array(z.number().int().min(0)),
  pruneidx_rows: z.array(z.number().int().min(0)),
});

/** The parsed sidecar file (`fasttext_vocab.json`). */
export type FastTextVocab = z.infer<typeof fastTextVocabSchema>;

/**
 * Reads and checks the vocabulary sidecar of a converted model folder. `sift.vocab_file` names
 * it (default `fasttext_vocab.json`). Throws a {@link ModelLoadError} naming the file when it
 * is missing or malformed.
 */
export function readFastTextVocab(modelDir: string, sift: Record<string, unknown>): FastTextVocab {
  const file = sift.vocab_file ?? 'fasttext_vocab.json';
  if (typeof file !== 'string' || file.length === 0) {
    throw new ModelLoadError(modelDir, 'config.json', 'sift.vocab_file must be a file name');
  }
  const parsed = fastTextVocabSchema.safeParse(readJsonFile(modelDir, file));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelLoadError(
      modelDir,
      file,
      `malformed: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
  const vocab = parsed.data;
  const problem = checkVocab(vocab);
  if (problem) throw new ModelLoadError(modelDir, file, `malformed: ${problem}`);
  return vocab;
}

/** Cross-field checks the schema cannot express; returns the first problem found. */
function checkVocab(vocab: FastTextVocab): string | undefined {
  if (vocab.pruneidx_buckets.length !== vocab.pruneidx_rows.length) {
    return 'pruneidx_buckets and pruneidx_rows differ in length';
  }
  if (vocab.pruneidx_size >= 0 && vocab.pruneidx_size !== vocab.pruneidx_buckets.length) {
    return `pruneidx_size ${vocab.pruneidx_size} but ${vocab.pruneidx_buckets.length} buckets listed`;
  }
  if (vocab.minn > vocab.maxn && vocab.maxn > 0) return `minn ${vocab.minn} > maxn ${vocab.maxn}`;
  if (vocab.pruneidx_size < 0 && vocab.rows < vocab.words.length + vocab.bucket) {
    return `rows ${vocab.rows} cannot hold ${vocab.words.length} words and ${vocab.bucket} buckets`;
  }
  const badRow = vocab.pruneidx_rows.find((row) => row < vocab.words.length || row >= vocab.rows);
  if (badRow !== undefined)
    return `pruneidx row ${badRow} is outside ${vocab.words.length}..${vocab.rows - 1}`;
  if (vocab.pruneidx_buckets.some((b) => b >= vocab.bucket))
    return `a pruneidx bucket is >= bucket ${vocab.bucket}`;
  return undefined;
}
