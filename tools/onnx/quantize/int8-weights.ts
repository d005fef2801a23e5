/** Symmetric int8 keeps ±127 so that −w quantizes to −q (−128 would have no positive twin). */
export const INT8_LIMIT = 127;

/**
 * 7-bit weights (ONNX Runtime's `reduce_range`). On x86-64 without VNNI (AVX2, and AVX-512
 * without VNNI) ONNX Runtime's U8S8 kernels multiply with `VPMADDUBSW`, which adds two
 * uint8 × int8 products into a saturating int16: 2 · 255 · 127 = 64,770 overflows 32,767, but
 * 2 · 255 · 63 = 32,130 cannot. So weights within ±63 give the same integers on every CPU.
 */
export const INT7_LIMIT = 63;

/** The zero point of uint8 weights (U8U8): q + 128 keeps symmetric int8 values in 1..255. */
export const UINT8_ZERO_POINT = 128;

/**
 * How MatMul/Gemm weights are stored. `int7`: int8 within ±63, exact on every CPU (the default).
 * `int8`: the full ±127, one more bit of precision, exact only where the kernels do not saturate
 * (VNNI, arm64). `uint8`: U8U8, weights + 128 with zero point 128, which ONNX Runtime runs on
 * 16-bit-widening kernels that cannot saturate, at a cost in speed on VNNI hosts.
 */
export const WEIGHT_FORMATS = ['int7', 'int8', 'uint8'] as const;
export type WeightFormat = (typeof WEIGHT_FORMATS)[number];

/** The largest |q| a weight format stores (before the uint8 shift). */
export function weightLimit(format: WeightFormat): number {
  return format === 'int7' ? INT7_LIMIT : INT8_LIMIT;
}

/** A float matrix quantized to int8 with one scale per tensor, or one per output column. */
export interface Int8Weight {
  /** Row-major values, same layout as the float input. */
  readonly values: Int8Array;
  /** One scale (per tensor) or one per column of the last axis (per channel). */
  readonly scales: Float32Array;
}

/**
 * Quantizes `data` (row-major, last axis of length `columns`) symmetrically: q = round(w / s),
 * s = max|w| / limit (127 unless told otherwise), zero point 0. With `perColumn` each column gets its own scale, as ONNX
 * Runtime's per-channel MatMul weights do (a column is one output feature). An all-zero range
 * gets scale 1, so dequantizing never divides by zero and still gives exact zeros.
 */
export function quantizeSymmetric(
  data: Float32Array,
  columns: number,
  perColumn: boolean,
  limit = INT8_LIMIT,
): Int8Weight {
  const groups = perColumn ? columns : 1;
  const maxAbs = new Float32Array(groups);
  for (let i = 0; i < data.length; i++) {
    const g = perColumn ? i % columns : 0;
    const a = Math.abs(data[i]);
    if (a > maxAbs[g]) maxAbs[g] = a;
  }
  const scales = maxAbs.map((m) => (m > 0 ? m / limit : 1));
  const values = new Int8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const q = Math.round(data[i] / scales[perColumn ? i % columns : 0]);
    values[i] = Math.max(-limit, Math.min(limit, q));
  }
  return { values, scales };
}

/** The float values an {@link Int8Weight} stands for (for error bounds and checks). */
export function dequantize(weight: Int8Weight, columns: number): Float32Array {
  const perColumn = weight.scales.length > 1;
  return Float32Array.from(weight.values, (q, i) => q * weight.scales[perColumn ? i % columns : 0]);
}

/** Transposes a row-major `[rows, columns]` matrix (Gemm's `transB` weights are `[N, K]`). */
export function transpose(data: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) out[c * rows + r] = data[r * columns + c];
  }
  return out;
}
