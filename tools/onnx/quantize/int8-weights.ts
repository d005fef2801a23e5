/** Symmetric int8 keeps ±127 so that −w quantizes to −q (−128 would have no positive twin). */
export const INT8_LIMIT = 127;

/** A float matrix quantized to int8 with one scale per tensor, or one per output column. */
export interface Int8Weight {
  /** Row-major values, same layout as the float input. */
  readonly values: Int8Array;
  /** One scale (per tensor) or one per column of the last axis (per channel). */
  readonly scales: Float32Array;
}

/**
 * Quantizes `data` (row-major, last axis of length `columns`) symmetrically: q = round(w / s),
 * s = max|w| / 127, zero point 0. With `perColumn` each column gets its own scale, as ONNX
 * Runtime's per-channel MatMul weights do (a column is one output feature). An all-zero range
 * gets scale 1, so dequantizing never divides by zero and still gives exact zeros.
 */
export function quantizeSymmetric(
  data: Float32Array,
  columns: number,
  perColumn: boolean,
): Int8Weight {
  const groups = perColumn ? columns : 1;
  const maxAbs = new Float32Array(groups);
  for (let i = 0; i < data.length; i++) {
    const g = perColumn ? i % columns : 0;
    const a = Math.abs(data[i]);
    if (a > maxAbs[g]) maxAbs[g] = a;
  }
  const scales = maxAbs.map((m) => (m > 0 ? m / INT8_LIMIT : 1));
  const values = new Int8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const q = Math.round(data[i] / scales[perColumn ? i % columns : 0]);
    values[i] = Math.max(-INT8_LIMIT, Math.min(INT8_LIMIT, q));
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
