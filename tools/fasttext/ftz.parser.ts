import { BinaryReader } from './binary.reader';

/** `FASTTEXT_FILEFORMAT_MAGIC_INT32` from fastText's fasttext.h. */
export const FASTTEXT_MAGIC = 793712314;
/** Newest model format this parser understands (fastText's `FASTTEXT_VERSION`). */
export const FASTTEXT_MAX_VERSION = 12;

/** fastText's `loss_name` enum, numbered from 1 in the file. */
export const FASTTEXT_LOSSES = ['hs', 'ns', 'softmax', 'ova'] as const;
export type FastTextLoss = (typeof FASTTEXT_LOSSES)[number];

/** fastText's `model_name` enum, numbered from 1 in the file. */
export const FASTTEXT_MODELS = ['cbow', 'sg', 'sup'] as const;
export type FastTextModelName = (typeof FASTTEXT_MODELS)[number];

/** The training arguments fastText stores in a model (`Args::save`). */
export interface FastTextArgs {
  readonly dim: number;
  readonly ws: number;
  readonly epoch: number;
  readonly minCount: number;
  readonly neg: number;
  readonly wordNgrams: number;
  readonly loss: FastTextLoss;
  readonly model: FastTextModelName;
  readonly bucket: number;
  readonly minn: number;
  readonly maxn: number;
  readonly lrUpdateRate: number;
  readonly t: number;
}

/** One dictionary entry. Words are raw bytes: fastText never validates UTF-8. */
export interface FastTextEntry {
  readonly word: Uint8Array;
  readonly count: number;
  readonly type: 'word' | 'label';
}

/** The dictionary: words first (ids `0..nwords-1`), then labels. */
export interface FastTextDictionary {
  readonly nwords: number;
  readonly nlabels: number;
  readonly ntokens: number;
  readonly entries: readonly FastTextEntry[];
  /** `-1` when never pruned, else the number of n-gram buckets kept. */
  readonly pruneIdxSize: number;
  /** Kept n-gram bucket (hash % bucket) → its index among the kept n-gram rows. */
  readonly pruneIdx: ReadonlyMap<number, number>;
}

/** A row-major float32 matrix. */
export interface DenseMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

/** A parsed `.bin`/`.ftz` model with both matrices made dense. */
export interface FastTextModel {
  readonly version: number;
  readonly args: FastTextArgs;
  readonly dictionary: FastTextDictionary;
  readonly quantizedInput: boolean;
  readonly quantizedOutput: boolean;
  /** Input (embedding) matrix: word rows, then n-gram rows. */
  readonly input: DenseMatrix;
  /** Output matrix: one row per label, or per internal Huffman node for `hs`. */
  readonly output: DenseMatrix;
}

/** Number of centroids per sub-quantizer: fastText's `ksub_ = 1 << nbits_` with `nbits_ = 8`. */
const KSUB = 256;

/**
 * Parses a fastText model file (format 11 or 12, plain or quantized) following
 * `FastText::loadModel`. Quantized matrices are expanded to dense ones whose rows are exactly
 * what fastText adds when it averages them (`norm * centroid`, rounded to float32).
 */
export function parseFastTextModel(bytes: Uint8Array): FastTextModel {
  const reader = new BinaryReader(bytes);
  const magic = reader.int32();
  if (magic !== FASTTEXT_MAGIC) throw new Error(`not a fastText model: magic ${magic}`);
  const version = reader.int32();
  if (version > FASTTEXT_MAX_VERSION)
    throw new Error(`unsupported fastText format version ${version}`);

  const stored = readArgs(reader);
  // fastText ignores char n-grams of format-11 supervised models (see FastText::loadModel).
  const args: FastTextArgs =
    version === 11 && stored.model === 'sup' ? { ...stored, maxn: 0 } : stored;
  const dictionary = readDictionary(reader);

  const quantizedInput = reader.bool();
  const input = quantizedInput ? readQuantMatrix(reader) : readDenseMatrix(reader);
  if (!quantizedInput && dictionary.pruneIdxSize >= 0) {
    throw new Error(
      'invalid model: pruned dictionary with a dense input matrix (fastText issue #332)',
    );
  }
  const qout = reader.bool();
  const quantizedOutput = quantizedInput && qout;
  const output = quantizedOutput ? readQuantMatrix(reader) : readDenseMatrix(reader);
  if (!reader.done)
    throw new Error(`trailing bytes after the output matrix at byte ${reader.offset}`);

  if (input.cols !== args.dim || output.cols !== args.dim) {
    throw new Error(`matrix width ${input.cols}/${output.cols} does not match dim ${args.dim}`);
  }
  return { version, args, dictionary, quantizedInput, quantizedOutput, input, output };
}

function readArgs(reader: BinaryReader): FastTextArgs {
  const dim = reader.int32();
  const ws = reader.int32();
  const epoch = reader.int32();
  const minCount = reader.int32();
  const neg = reader.int32();
  const wordNgrams = reader.int32();
  const loss = enumName(FASTTEXT_LOSSES, reader.int32(), 'loss');
  const model = enumName(FASTTEXT_MODELS, reader.int32(), 'model');
  const bucket = reader.int32();
  const minn = reader.int32();
  const maxn = reader.int32();
  const lrUpdateRate = reader.int32();
  const t = reader.float64();
  return {
    dim,
    ws,
    epoch,
    minCount,
    neg,
    wordNgrams,
    loss,
    model,
    bucket,
    minn,
    maxn,
    lrUpdateRate,
    t,
  };
}

function enumName<T extends string>(names: readonly T[], value: number, field: string): T {
  const name = names[value - 1];
  if (name === undefined) throw new Error(`unknown ${field} enum value ${value}`);
  return name;
}

function readDictionary(reader: BinaryReader): FastTextDictionary {
  const size = reader.int32();
  const nwords = reader.int32();
  const nlabels = reader.int32();
  const ntokens = reader.int64();
  const pruneIdxSize = reader.int64();
  if (nwords + nlabels !== size)
    throw new Error(`dictionary size ${size} != ${nwords} words + ${nlabels} labels`);

  const entries: FastTextEntry[] = [];
  for (let i = 0; i < size; i++) {
    const word = reader.cString();
    const count = reader.int64();
    const type = reader.int8();
    if (type !== 0 && type !== 1) throw new Error(`entry ${i} has unknown type ${type}`);
    entries.push({ word, count, type: type === 0 ? 'word' : 'label' });
  }
  // Dictionary::threshold sorts words before labels; ids rely on it.
  entries.forEach((e, i) => {
    if ((e.type === 'word') !== i < nwords)
      throw new Error(`entry ${i} is a ${e.type} out of order`);
  });

  const pruneIdx = new Map<number, number>();
  for (let i = 0; i < pruneIdxSize; i++) {
    const bucket = reader.int32();
    pruneIdx.set(bucket, reader.int32());
  }
  return { nwords, nlabels, ntokens, entries, pruneIdxSize, pruneIdx };
}

function readDenseMatrix(reader: BinaryReader): DenseMatrix {
  const rows = reader.int64();
  const cols = reader.int64();
  return { rows, cols, data: reader.float32Array(rows * cols) };
}

interface ProductQuantizer {
  readonly dim: number;
  readonly nsubq: number;
  readonly dsub: number;
  readonly lastdsub: number;
  readonly centroids: Float32Array;
}

function readProductQuantizer(reader: BinaryReader): ProductQuantizer {
  const dim = reader.int32();
  const nsubq = reader.int32();
  const dsub = reader.int32();
  const lastdsub = reader.int32();
  return { dim, nsubq, dsub, lastdsub, centroids: reader.float32Array(dim * KSUB) };
}

/** Offset of centroid `code` of sub-quantizer `m` (ProductQuantizer::get_centroids). */
function centroidOffset(pq: ProductQuantizer, m: number, code: number): number {
  // The last sub-quantizer may be narrower, so its centroids are packed with its own width.
  return m === pq.nsubq - 1 ? m * KSUB * pq.dsub + code * pq.lastdsub : (m * KSUB + code) * pq.dsub;
}

function readQuantMatrix(reader: BinaryReader): DenseMatrix {
  const qnorm = reader.bool();
  const rows = reader.int64();
  const cols = reader.int64();
  const codeSize = reader.int32(); // QuantMatrix::codesize_ is an int32_t, unlike m_ and n_
  const codes = reader.bytesView(codeSize);
  const pq = readProductQuantizer(reader);
  if (pq.dim !== cols || codeSize !== rows * pq.nsubq) {
    throw new Error(
      `product quantizer (${pq.dim} dims, ${pq.nsubq} parts) does not fit a ${rows}x${cols} matrix`,
    );
  }
  let normCodes: Uint8Array | null = null;
  let npq: ProductQuantizer | null = null;
  if (qnorm) {
    normCodes = reader.bytesView(rows);
    npq = readProductQuantizer(reader);
  }

  const data = new Float32Array(rows * cols);
  for (let row = 0; row < rows; row++) {
    const norm = normCodes && npq ? npq.centroids[centroidOffset(npq, 0, normCodes[row])] : 1;
    for (let m = 0; m < pq.nsubq; m++) {
      const width = m === pq.nsubq - 1 ? pq.lastdsub : pq.dsub;
      const c = centroidOffset(pq, m, codes[row * pq.nsubq + m]);
      for (let k = 0; k < width; k++) {
        // fastText adds `alpha * c[k]` computed in float32; Float32Array storage rounds the same way.
        data[row * cols + m * pq.dsub + k] = norm * pq.centroids[c + k];
      }
    }
  }
  return { rows, cols, data };
}
