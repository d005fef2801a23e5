import { z } from 'zod';
import { ModelLoadError } from '../inference.errors';
import { readJsonFile } from '../model/model-config';
import type { EncodedText, Preprocessor } from './preprocessor.interface';

/**
 * The vocabulary sidecar written by `tools/fasttext` next to a converted fastText model.
 * Field names follow fastText's own (`minn`, `maxn`, `bucket`, `pruneidx`).
 */
export const fastTextVocabSchema = z.object({
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

const FNV_OFFSET_BASIS = 2166136261;
const FNV_PRIME = 16777619;
const BOW = 0x3c; // '<'
const EOW = 0x3e; // '>'

/** fastText's `Dictionary::readWord` separators. */
function isSeparator(byte: number): boolean {
  return (
    byte === 0x20 ||
    byte === 0x0a ||
    byte === 0x0d ||
    byte === 0x09 ||
    byte === 0x0b ||
    byte === 0x0c ||
    byte === 0x00
  );
}

/** One FNV-1a step exactly as fastText does it: the byte is sign-extended as an int8 first. */
function fnvStep(hash: number, byte: number): number {
  return Math.imul(hash ^ ((byte << 24) >> 24), FNV_PRIME) >>> 0;
}

/** Power-of-two open-addressing table size with load factor at most 1/2. */
function tableSize(entries: number): number {
  let size = 16;
  while (size < entries * 2) size *= 2;
  return size;
}

/** Multiplicative scramble so consecutive buckets do not collide in a power-of-two table. */
function slotOf(key: number, mask: number): number {
  return (Math.imul(key, 0x9e3779b1) >>> 0) & mask;
}

/**
 * fastText's supervised-model input pipeline (`Dictionary::getLine` + `addSubwords`) over UTF-8
 * bytes, producing input-matrix rows: for each whitespace-separated token, its word row when
 * it is in the vocabulary, then the rows of its character n-grams of `<token>`; finally `</s>`.
 *
 * Differences from fastText, all on purpose:
 * - fastText reads only the first line; here newlines are ordinary separators and one `</s>`
 *   ends the whole text, so single-line inputs give exactly fastText's ids.
 * - Text reaches fastText as bytes; a JS string may hold lone UTF-16 surrogates, which are
 *   encoded as U+FFFD (what `TextEncoder` and Node's `Buffer` do).
 * - At most `maxLength` ids are kept (fastText has no limit); `truncated` says so.
 */
export class FastTextPreprocessor implements Preprocessor {
  readonly supportsPairs = false;
  readonly padId = 0;

  private readonly minn: number;
  private readonly maxn: number;
  private readonly bucket: number;
  private readonly labelPrefix: Uint8Array;
  private readonly eosId: number;
  private readonly eos: Uint8Array;
  private readonly nwords: number;
  private readonly pruned: boolean;
  private readonly dropAllNgrams: boolean;
  // Word lookup: open addressing on the FNV hash of the token's bytes.
  private readonly wordSlots: Int32Array;
  private readonly wordHashes: Uint32Array;
  private readonly wordBytes: Buffer;
  private readonly wordStarts: Int32Array;
  // Rows each vocabulary word expands to (itself + its n-grams), precomputed as fastText does.
  private readonly wordRows: Int32Array;
  private readonly wordRowStarts: Int32Array;
  // N-gram bucket → row: open addressing keyed by bucket (-1 = empty slot).
  private readonly ngramKeys: Int32Array;
  private readonly ngramRows: Int32Array;
  // Scratch buffers reused across calls (encode is synchronous, so never shared mid-call).
  private textBytes = Buffer.alloc(1024);
  private wordScratch = new Uint8Array(256);

  constructor(
    vocab: FastTextVocab,
    readonly maxLength: number,
  ) {
    this.minn = vocab.minn;
    this.maxn = vocab.maxn;
    this.bucket = vocab.bucket;
    this.labelPrefix = Buffer.from(vocab.label_prefix, 'utf8');
    this.eos = Buffer.from(vocab.eos, 'utf8');
    this.nwords = vocab.words.length;
    this.pruned = vocab.pruneidx_size >= 0;
    this.dropAllNgrams = vocab.pruneidx_size === 0;

    const ngramMask = tableSize(vocab.pruneidx_buckets.length) - 1;
    this.ngramKeys = new Int32Array(ngramMask + 1).fill(-1);
    this.ngramRows = new Int32Array(ngramMask + 1);
    vocab.pruneidx_buckets.forEach((bucket, i) => {
      let slot = slotOf(bucket, ngramMask);
      while (this.ngramKeys[slot] !== -1) slot = (slot + 1) & ngramMask;
      this.ngramKeys[slot] = bucket;
      this.ngramRows[slot] = vocab.pruneidx_rows[i];
    });

    const encoded = vocab.words.map((word) => Buffer.from(word, 'utf8'));
    this.wordBytes = Buffer.concat(encoded);
    this.wordStarts = new Int32Array(encoded.length + 1);
    encoded.forEach((bytes, i) => (this.wordStarts[i + 1] = this.wordStarts[i] + bytes.length));
    this.wordHashes = Uint32Array.from(encoded, (bytes) => bytes.reduce(fnvStep, FNV_OFFSET_BASIS));
    const wordMask = tableSize(encoded.length) - 1;
    this.wordSlots = new Int32Array(wordMask + 1).fill(-1);
    this.wordHashes.forEach((hash, id) => {
      let slot = hash & wordMask;
      while (this.wordSlots[slot] !== -1) slot = (slot + 1) & wordMask;
      this.wordSlots[slot] = id;
    });

    const rows: number[] = [];
    this.wordRowStarts = new Int32Array(encoded.length + 1);
    encoded.forEach((bytes, id) => {
      rows.push(id);
      // fastText gives `</s>` no n-grams (Dictionary::initNgrams).
      if (!bytes.equals(this.eos)) this.pushNgrams(bytes, 0, bytes.length, rows, Infinity);
      this.wordRowStarts[id + 1] = rows.length;
    });
    this.wordRows = Int32Array.from(rows);
    this.eosId = this.findWord(this.eos, 0, this.eos.length);
  }

  encode(text: string): EncodedText {
    const bytes = this.utf8(text);
    const length = bytes.length;
    // One id past the limit is enough to know the text was truncated.
    const limit = this.maxLength + 1;
    const ids: number[] = [];
    let start = 0;
    while (start < length && ids.length < limit) {
      while (start < length && isSeparator(bytes[start])) start++;
      if (start === length) break;
      let end = start;
      while (end < length && !isSeparator(bytes[end])) end++;
      if (this.isEos(bytes, start, end)) {
        // fastText ends a line at a `</s>` token, whether a newline produced it or the text
        // spelled it; it then adds that token's row, as below.
        break;
      }
      this.pushToken(bytes, start, end, ids, limit);
      start = end;
    }
    if (this.eosId >= 0 && ids.length < limit) ids.push(this.eosId);
    const truncated = ids.length > this.maxLength;
    if (truncated) ids.length = this.maxLength;
    return { ids, truncated };
  }

  /** UTF-8 bytes of `text` in a reused buffer; lone surrogates become U+FFFD. */
  private utf8(text: string): Buffer {
    const worstCase = text.length * 3;
    if (this.textBytes.length < worstCase) this.textBytes = Buffer.alloc(worstCase);
    const written = this.textBytes.write(text, 0, 'utf8');
    return this.textBytes.subarray(0, written);
  }

  private pushToken(bytes: Buffer, start: number, end: number, ids: number[], limit: number): void {
    // Tokens with the label prefix are labels to fastText, never input features.
    if (this.startsWithLabelPrefix(bytes, start, end)) return;
    const id = this.findWord(bytes, start, end);
    if (id >= 0) {
      for (
        let r = this.wordRowStarts[id];
        r < this.wordRowStarts[id + 1] && ids.length < limit;
        r++
      ) {
        ids.push(this.wordRows[r]);
      }
      return;
    }
    this.pushNgrams(bytes, start, end, ids, limit);
  }

  /** Rows of the character n-grams of `<token>` (Dictionary::computeSubwords + pushHash). */
  private pushNgrams(
    bytes: Uint8Array,
    start: number,
    end: number,
    out: number[],
    limit: number,
  ): void {
    if (this.dropAllNgrams) return;
    const size = end - start + 2;
    if (this.wordScratch.length < size) this.wordScratch = new Uint8Array(size * 2);
    const word = this.wordScratch;
    word[0] = BOW;
    word.set(bytes.subarray(start, end), 1);
    word[size - 1] = EOW;
    for (let i = 0; i < size && out.length < limit; i++) {
      // n-grams start on a character, i.e. on a byte that is not a UTF-8 continuation byte.
      if ((word[i] & 0xc0) === 0x80) continue;
      let hash = FNV_OFFSET_BASIS;
      let j = i;
      for (let n = 1; j < size && n <= this.maxn; n++) {
        hash = fnvStep(hash, word[j++]);
        while (j < size && (word[j] & 0xc0) === 0x80) hash = fnvStep(hash, word[j++]);
        if (n >= this.minn && !(n === 1 && (i === 0 || j === size))) {
          const row = this.ngramRow(hash % this.bucket);
          if (row >= 0 && out.length < limit) out.push(row);
        }
      }
    }
  }

  private ngramRow(bucket: number): number {
    if (!this.pruned) return this.nwords + bucket;
    const mask = this.ngramKeys.length - 1;
    for (let slot = slotOf(bucket, mask); ; slot = (slot + 1) & mask) {
      const key = this.ngramKeys[slot];
      if (key === bucket) return this.ngramRows[slot];
      if (key === -1) return -1;
    }
  }

  private findWord(bytes: Uint8Array, start: number, end: number): number {
    let hash = FNV_OFFSET_BASIS;
    for (let i = start; i < end; i++) hash = fnvStep(hash, bytes[i]);
    const mask = this.wordSlots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = this.wordSlots[slot];
      if (id === -1) return -1;
      if (this.wordHashes[id] === hash && this.wordEquals(id, bytes, start, end)) return id;
    }
  }

  private wordEquals(id: number, bytes: Uint8Array, start: number, end: number): boolean {
    const from = this.wordStarts[id];
    if (this.wordStarts[id + 1] - from !== end - start) return false;
    for (let k = 0; k < end - start; k++)
      if (this.wordBytes[from + k] !== bytes[start + k]) return false;
    return true;
  }

  private isEos(bytes: Uint8Array, start: number, end: number): boolean {
    return end - start === this.eos.length && this.eos.every((b, k) => bytes[start + k] === b);
  }

  private startsWithLabelPrefix(bytes: Uint8Array, start: number, end: number): boolean {
    const prefix = this.labelPrefix;
    return end - start >= prefix.length && prefix.every((b, k) => bytes[start + k] === b);
  }
}

/**
 * Loads the fastText preprocessor of a converted model folder. `sift.vocab_file` names the
 * sidecar (default `fasttext_vocab.json`). Throws a {@link ModelLoadError} naming the file
 * when it is missing or malformed.
 */
export function loadFastTextPreprocessor(
  modelDir: string,
  sift: Record<string, unknown>,
  maxLength: number,
): Preprocessor {
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
  return new FastTextPreprocessor(vocab, maxLength);
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
