import { onnx } from 'onnx-proto';

/** Element types the builder can declare for inputs, outputs and initializers. */
export type OnnxElementType = 'float32' | 'int64' | 'int32' | 'bool';

/** A dimension: a fixed size, or a symbolic name such as `'batch'` shared between tensors. */
export type OnnxDim = number | string;

export const ELEMENT_TYPE_CODES: Readonly<Record<OnnxElementType, number>> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  bool: onnx.TensorProto.DataType.BOOL,
};

/** A graph input's or output's declared type and shape. */
export function valueInfo(
  name: string,
  type: OnnxElementType,
  dims: readonly OnnxDim[],
): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEMENT_TYPE_CODES[type],
        shape: {
          dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  };
}

/** An int64 tensor value; refuses numbers that would lose precision. */
export function toBigInt(value: number): bigint {
  if (!Number.isSafeInteger(value)) throw new Error(`GraphBuilder: ${value} is not a safe integer`);
  return BigInt(value);
}

/** ONNX raw_data is little-endian; copy explicitly so big-endian hosts would still be right. */
export function littleEndianBytes(values: Float32Array | BigInt64Array): Uint8Array {
  const out = new Uint8Array(values.length * values.BYTES_PER_ELEMENT);
  const view = new DataView(out.buffer);
  if (values instanceof Float32Array) {
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  } else {
    values.forEach((v, i) => view.setBigInt64(i * 8, v, true));
  }
  return out;
}
