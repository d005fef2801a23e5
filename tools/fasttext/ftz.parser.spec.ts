import { readFileSync } from 'node:fs';
import { FASTTEXT_MAGIC, parseFastTextModel } from './ftz.parser';
import { LID_176_PATH } from './lang-id.converter';

/** Little-endian byte writer for hand-made model files. */
class Bytes {
  private readonly parts: Buffer[] = [];
  i32(...values: number[]): this {
    for (const v of values) this.push(4, (b) => b.writeInt32LE(v));
    return this;
  }
  i64(...values: number[]): this {
    for (const v of values) this.push(8, (b) => b.writeBigInt64LE(BigInt(v)));
    return this;
  }
  f64(v: number): this {
    return this.push(8, (b) => b.writeDoubleLE(v));
  }
  f32(values: readonly number[]): this {
    for (const v of values) this.push(4, (b) => b.writeFloatLE(v));
    return this;
  }
  u8(...values: number[]): this {
    this.parts.push(Buffer.from(values));
    return this;
  }
  entry(word: string, count: number, type: 0 | 1): this {
    this.parts.push(Buffer.from(word, 'utf8'), Buffer.from([0]));
    return this.i64(count).u8(type);
  }
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
  private push(size: number, write: (b: Buffer) => void): this {
    const b = Buffer.alloc(size);
    write(b);
    this.parts.push(b);
    return this;
  }
}

/** A 2-word, 2-label supervised model with dim 4; the input matrix as the caller writes it. */
function tinyModel(writeInput: (b: Bytes) => Bytes, version = 12): Buffer {
  const b = new Bytes()
    .i32(FASTTEXT_MAGIC, version)
    .i32(4, 5, 5, 1, 5, 1, 1, 3, 10, 2, 3, 100) // dim ws epoch minCount neg wordNgrams loss=hs model=sup bucket minn maxn lrUpdateRate
    .f64(1e-4)
    .i32(4, 2, 2) // size, nwords, nlabels
    .i64(100, 2) // ntokens, pruneidx_size
    .entry('</s>', 10, 0)
    .entry('hi', 5, 0)
    .entry('__label__a', 7, 1)
    .entry('__label__b', 3, 1)
    .i32(7, 0, 3, 1); // pruneidx: bucket 7 -> 0, bucket 3 -> 1
  writeInput(b);
  return b.u8(0).i64(1, 4).f32([1, 2, 3, 4]).build(); // qout = false, dense output 1x4
}

/** Quantized input with qnorm: 4 rows of dim 4, 2 sub-quantizers of 2 dims. */
function quantizedInput(b: Bytes): Bytes {
  const centroids = Array.from({ length: 4 * 256 }, (_, i) => i / 8);
  const norms = Array.from({ length: 256 }, (_, i) => 1 + i);
  return b
    .u8(1, 1) // quant_input, qnorm
    .i64(4, 4)
    .i32(8) // codesize is an int32
    .u8(0, 1, 2, 3, 255, 0, 7, 9) // codes: row r uses codes[2r], codes[2r+1]
    .i32(4, 2, 2, 2)
    .f32(centroids)
    .u8(0, 1, 2, 3) // norm codes
    .i32(1, 1, 1, 1)
    .f32(norms);
}

describe(parseFastTextModel.name, () => {
  it('reads the lid.176 header, dictionary, pruned n-grams and both matrices', () => {
    const sut = parseFastTextModel(readFileSync(LID_176_PATH));

    expect(sut.version).toBe(12);
    expect(sut.args).toMatchObject({
      dim: 16,
      minn: 2,
      maxn: 4,
      wordNgrams: 1,
      bucket: 2_000_000,
      loss: 'hs',
      model: 'sup',
    });
    expect(sut.dictionary).toMatchObject({ nwords: 7235, nlabels: 176, pruneIdxSize: 42_765 });
    expect(Buffer.from(sut.dictionary.entries[0].word).toString()).toBe('</s>');
    expect(Buffer.from(sut.dictionary.entries[7235].word).toString()).toBe('__label__en');
    expect(sut.quantizedInput).toBe(true);
    expect(sut.quantizedOutput).toBe(false);
    expect([sut.input.rows, sut.input.cols]).toEqual([50_000, 16]);
    expect([sut.output.rows, sut.output.cols]).toEqual([176, 16]);
    expect([...sut.dictionary.pruneIdx.values()].sort((a, b) => a - b)).toEqual([
      ...Array(42_765).keys(),
    ]);
  });

  it('expands a product-quantized matrix to norm x centroid, per sub-quantizer', () => {
    const sut = parseFastTextModel(tinyModel(quantizedInput));

    // Row 2: codes (255, 0), norm code 2 -> norm 3; centroid (m, c) starts at (m*256 + c) * 2.
    const expected = [510, 511, 512, 513].map((i) => Math.fround(3 * Math.fround(i / 8)));
    expect(Array.from(sut.input.data.subarray(8, 12))).toEqual(expected);
    expect(sut.dictionary.pruneIdx).toEqual(
      new Map([
        [7, 0],
        [3, 1],
      ]),
    );
    expect(sut.dictionary.entries.map((e) => e.type)).toEqual(['word', 'word', 'label', 'label']);
  });

  it('rejects a file that is not a fastText model', () => {
    expect(() => parseFastTextModel(Buffer.from('PK\u0003\u0004 not a model'))).toThrow(
      /not a fastText model/,
    );
  });

  it('rejects a newer format version', () => {
    expect(() => parseFastTextModel(tinyModel(quantizedInput, 13))).toThrow(/version 13/);
  });

  it('rejects a truncated file', () => {
    const bytes = tinyModel(quantizedInput);
    expect(() => parseFastTextModel(bytes.subarray(0, bytes.length - 3))).toThrow(
      /unexpected end of file/,
    );
  });

  it('rejects a pruned dictionary with a dense input matrix, as fastText does', () => {
    const dense = (b: Bytes): Bytes => b.u8(0).i64(4, 4).f32(new Array(16).fill(0));
    expect(() => parseFastTextModel(tinyModel(dense))).toThrow(/pruned dictionary/);
  });
});
