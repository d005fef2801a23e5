import { onnx } from 'onnx-proto';

/**
 * The largest |q| of an int8 weight that ONNX Runtime's U8S8 kernels multiply exactly on every
 * x86-64 CPU: two products of a uint8 activation (≤ 255) and the weight are added in a
 * saturating int16 on hosts without VNNI, and 2 · 255 · 63 = 32,130 ≤ 32,767.
 */
export const SAFE_INT8_WEIGHT = 63;

/** Integer-product ops and the input that holds their weight (B). */
const WEIGHT_INPUT: Readonly<Record<string, number>> = {
  MatMulInteger: 1,
  DynamicQuantizeMatMul: 1,
  MatMulIntegerToFloat: 1,
  QLinearMatMul: 3,
  QGemm: 3,
};

/**
 * The int8 weight initializers of integer matrix products whose values leave ±63: the weights
 * that can saturate U8S8 kernels on a CPU without VNNI. uint8 weights (U8U8) run on widening
 * kernels and never saturate, so they are not listed.
 */
export function fullRangeInt8Weights(graph: onnx.IGraphProto): string[] {
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const found = new Set<string>();
  for (const node of graph.node ?? []) {
    const index = WEIGHT_INPUT[node.opType ?? ''];
    if (index === undefined) continue;
    const name = node.input?.[index] ?? '';
    const tensor = initializers.get(name);
    if (tensor?.dataType !== onnx.TensorProto.DataType.INT8) continue;
    if (largestMagnitude(tensor) > SAFE_INT8_WEIGHT) found.add(name);
  }
  return [...found];
}

function largestMagnitude(tensor: onnx.ITensorProto): number {
  const raw = tensor.rawData;
  // Small tensors may be stored in int32Data, one value per element.
  const values =
    raw && raw.length > 0
      ? new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength)
      : Int32Array.from(tensor.int32Data ?? []);
  let largest = 0;
  for (const value of values) largest = Math.max(largest, Math.abs(value));
  return largest;
}

/** The one warning for a graph that may answer differently on this CPU, or undefined. */
export function saturationWarning(
  model: string,
  weights: readonly string[],
  u8s8Saturates: boolean | undefined,
): string | undefined {
  if (weights.length === 0 || u8s8Saturates !== true) return undefined;
  const named = weights.slice(0, 3).join(', ') + (weights.length > 3 ? ', …' : '');
  return (
    `${model}: ${weights.length} int8 weight tensor(s) use the full ±127 range (${named}). ` +
    'This CPU has no VNNI, so ONNX Runtime adds int8 products in saturating 16-bit sums and ' +
    'answers may differ from the fp32 graph and from VNNI hosts. Requantize with ' +
    '`npm run quantize -- <model dir>` (7-bit weights, exact on every CPU), or export with ' +
    "optimum/onnxruntime's `reduce_range=True`."
  );
}
