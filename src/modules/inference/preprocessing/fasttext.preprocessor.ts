import { FNV_OFFSET_BASIS, fnvStep, NgramTable, WordTable } from './fasttext-tables';
import { readFastTextVocab, type FastTextVocab } from './fasttext-vocab';
import type { EncodedText, Preprocessor } from './preprocessor.interface';

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
  private readonly words: WordTable;
  // Rows each vocabulary word expands to (itself + its n-grams), precomputed as fastText does.
  private readonly wordRows: Int32Array;
  private readonly wordRowStarts: Int32Array;
  private readonly ngrams: NgramTable;
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

    this.ngrams = new NgramTable(vocab.pruneidx_buckets, vocab.pruneidx_rows);
    const encoded = vocab.words.map((word) => Buffer.from(word, 'utf8'));
    this.words = new WordTable(encoded);

    const rows: number[] = [];
    this.wordRowStarts = new Int32Array(encoded.length + 1);
    encoded.forEach((bytes, id) => {
      rows.push(id);
      // fastText gives `</s>` no n-grams (Dictionary::initNgrams).
      if (!bytes.equals(this.eos)) this.pushNgrams(bytes, 0, bytes.length, rows, Infinity);
      this.wordRowStarts[id + 1] = rows.length;
    });
    this.wordRows = Int32Array.from(rows);
    this.eosId = this.words.find(this.eos, 0, this.eos.length);
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
    const id = this.words.find(bytes, start, end);
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
    return this.pruned ? this.ngrams.row(bucket) : this.nwords + bucket;
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
 * Loads the fastText preprocessor of a converted model folder from its vocabulary sidecar
 * (see readFastTextVocab, which names the file when it is missing or malformed).
 */
export function loadFastTextPreprocessor(
  modelDir: string,
  sift: Record<string, unknown>,
  maxLength: number,
): Preprocessor {
  return new FastTextPreprocessor(readFastTextVocab(modelDir, sift), maxLength);
}
