import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelLoadError } from '../inference.errors';
import { FastTextPreprocessor, loadFastTextPreprocessor } from './fasttext.preprocessor';
import type { FastTextVocab } from './fasttext-vocab';

const BUCKET = 1000;
const WORDS = ['</s>', 'hello', 'wörld'];

/** FNV-1a as fastText computes it, written independently with BigInt for the expectations. */
function referenceBucket(ngram: string): number {
  let hash = 2166136261n;
  for (const byte of Buffer.from(ngram, 'utf8')) {
    hash ^= BigInt.asUintN(32, BigInt((byte << 24) >> 24)); // fastText XORs the byte as a signed char
    hash = (hash * 16777619n) & 0xffffffffn;
  }
  return Number(hash % BigInt(BUCKET));
}

/** Character n-grams of `<word>`, 2 to 3 code points, in fastText's order (by start, then length). */
function ngramsOf(word: string): string[] {
  const chars = Array.from(`<${word}>`);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    for (let n = 2; n <= 3 && i + n <= chars.length; n++) out.push(chars.slice(i, i + n).join(''));
  }
  return out;
}

/** Keeps the n-grams listed (as pruned fastText models do) and numbers them after the words. */
function vocabKeeping(kept: readonly string[]): FastTextVocab {
  const buckets = [...new Set(kept.map(referenceBucket))].sort((a, b) => a - b);
  return {
    format: 'sift-fasttext-vocab/1',
    minn: 2,
    maxn: 3,
    bucket: BUCKET,
    word_ngrams: 1,
    label_prefix: '__label__',
    eos: '</s>',
    rows: WORDS.length + buckets.length,
    words: WORDS,
    pruneidx_size: buckets.length,
    pruneidx_buckets: buckets,
    pruneidx_rows: buckets.map((_, i) => WORDS.length + i),
  };
}

/** The rows the vocabulary maps an n-gram to, or nothing when its bucket was pruned away. */
function rowsOf(vocab: FastTextVocab, ngrams: readonly string[]): number[] {
  return ngrams.flatMap((ngram) => {
    const index = vocab.pruneidx_buckets.indexOf(referenceBucket(ngram));
    return index < 0 ? [] : [vocab.pruneidx_rows[index]];
  });
}

describe(FastTextPreprocessor.name, () => {
  const kept = [...ngramsOf('hello'), '<x', 'xy', 'yz', 'z>', '<é', 'é>', '<ж', '<😀', '😀>', '<F'];
  const vocab = vocabKeeping(kept);
  const sut = new FastTextPreprocessor(vocab, 64);
  const EOS = 0;

  it('expands a vocabulary word into its own row, then its n-gram rows, then </s>', () => {
    expect(sut.encode('hello')).toEqual({
      ids: [1, ...rowsOf(vocab, ngramsOf('hello')), EOS],
      truncated: false,
    });
  });

  it('gives an unknown word only the n-grams the pruned model kept', () => {
    const ids = sut.encode('xyz').ids;
    expect(ids).toEqual([...rowsOf(vocab, ['<x', 'xy', 'yz', 'z>']), EOS]);
  });

  it('counts n-gram lengths in code points, hashing their UTF-8 bytes (2- and 4-byte characters)', () => {
    expect(sut.encode('é').ids).toEqual([...rowsOf(vocab, ['<é', 'é>']), EOS]);
    expect(sut.encode('😀').ids).toEqual([...rowsOf(vocab, ['<😀', '😀>']), EOS]);
    expect(sut.encode('жук').ids).toEqual([...rowsOf(vocab, ['<ж']), EOS]);
  });

  it('matches words by exact bytes, so case and accents make a different word', () => {
    expect(sut.encode('Fello').ids).toEqual([...rowsOf(vocab, ngramsOf('Fello')), EOS]);
    expect(sut.encode('Fello').ids).toContain(rowsOf(vocab, ['<F'])[0]);
    expect(sut.encode('wörld').ids[0]).toBe(2);
    expect(sut.encode('world').ids[0]).not.toBe(2);
  });

  it("splits on fastText's separators, newline included, and ends with a single </s>", () => {
    const expected = sut.encode('hello xyz hello').ids;
    expect(sut.encode(' hello\txyz\r\n\vhello\f\0 ').ids).toEqual(expected);
    expect(sut.encode('hello\nxyz\n\nhello\n').ids).toEqual(expected);
    expect(expected.filter((id) => id === EOS)).toHaveLength(1);
  });

  it('does not split on Unicode spaces fastText does not know', () => {
    expect(sut.encode('hello\u00a0xyz').ids).not.toEqual(sut.encode('hello xyz').ids);
  });

  it('drops tokens with the label prefix, as fastText reads them as labels', () => {
    expect(sut.encode('__label__en hello __label__x').ids).toEqual(sut.encode('hello').ids);
  });

  it('stops at a literal </s> token like fastText, which ends the line there', () => {
    expect(sut.encode('hello </s> xyz').ids).toEqual(sut.encode('hello').ids);
  });

  it('encodes only </s> for empty or blank text', () => {
    expect(sut.encode('').ids).toEqual([EOS]);
    expect(sut.encode(' \t\n').ids).toEqual([EOS]);
  });

  it('reads lone UTF-16 surrogates as U+FFFD', () => {
    expect(sut.encode('x\uD800y \uDFFF').ids).toEqual(sut.encode('x\uFFFDy \uFFFD').ids);
  });

  it('keeps the first maxLength ids and reports truncation', () => {
    const full = sut.encode('hello hello').ids;
    const short = new FastTextPreprocessor(vocab, 5);
    expect(short.encode('hello hello')).toEqual({ ids: full.slice(0, 5), truncated: true });
    const exact = new FastTextPreprocessor(vocab, full.length);
    expect(exact.encode('hello hello')).toEqual({ ids: full, truncated: false });
  });

  it('pads with id 0 and reports its maxLength', () => {
    expect(sut.padId).toBe(0);
    expect(sut.maxLength).toBe(64);
  });

  it('gives a repeated call the same answer (scratch buffers are reused safely)', () => {
    const long = 'hello wörld '.repeat(300);
    const first = new FastTextPreprocessor(vocab, 100000);
    const a = first.encode(long);
    first.encode('xyz');
    expect(first.encode(long)).toEqual(a);
  });
});

describe(loadFastTextPreprocessor.name, () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sift-fasttext-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the vocabulary file named by sift.vocab_file', () => {
    writeFileSync(join(dir, 'vocab.json'), JSON.stringify(vocabKeeping(['<x'])));
    const sut = loadFastTextPreprocessor(dir, { vocab_file: 'vocab.json' }, 16);
    expect(sut.encode('x')).toMatchObject({ ids: [3, 0] });
  });

  it('throws a ModelLoadError naming the file when it is missing', () => {
    expect(() => loadFastTextPreprocessor(dir, {}, 16)).toThrow(ModelLoadError);
    expect(() => loadFastTextPreprocessor(dir, {}, 16)).toThrow(
      /fasttext_vocab\.json: file is missing/,
    );
  });

  it('throws naming the file when it is not valid JSON', () => {
    writeFileSync(join(dir, 'fasttext_vocab.json'), '{"words": [');
    expect(() => loadFastTextPreprocessor(dir, {}, 16)).toThrow(
      /fasttext_vocab\.json: invalid JSON/,
    );
  });

  it('throws naming the file and the field when the content is malformed', () => {
    const withoutWords: Partial<FastTextVocab> = vocabKeeping([]);
    delete withoutWords.words;
    writeFileSync(join(dir, 'fasttext_vocab.json'), JSON.stringify(withoutWords));
    expect(() => loadFastTextPreprocessor(dir, {}, 16)).toThrow(
      /fasttext_vocab\.json: malformed: words/,
    );
  });

  it('throws when the pruned n-gram lists disagree', () => {
    writeFileSync(
      join(dir, 'fasttext_vocab.json'),
      JSON.stringify({ ...vocabKeeping(['<x']), pruneidx_rows: [] }),
    );
    expect(() => loadFastTextPreprocessor(dir, {}, 16)).toThrow(
      /fasttext_vocab\.json: malformed: pruneidx/,
    );
  });

  it('rejects a vocab_file setting that is not a file name', () => {
    expect(() => loadFastTextPreprocessor(dir, { vocab_file: 3 }, 16)).toThrow(
      /config\.json: sift\.vocab_file/,
    );
  });
});
