import { onnx } from 'onnx-proto';

const { DataType } = onnx.TensorProto;

/** A float32 initializer's values and shape. */
export interface FloatTensor {
  readonly dims: number[];
  readonly data: Float32Array;
}

/** Dims as plain numbers: protobufjs decodes int64 fields as Long objects. */
export function dimsOf(tensor: onnx.ITensorProto): number[] {
  return (tensor.dims ?? []).map(Number);
}

/** Where a tensor's bytes live outside the model file; such a model cannot be rewritten alone. */
export function isExternal(tensor: onnx.ITensorProto): boolean {
  return tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL;
}

/** Reads a float32 initializer stored either as raw little-endian bytes or as `float_data`. */
export function readFloatTensor(tensor: onnx.ITensorProto): FloatTensor {
  const dims = dimsOf(tensor);
  const raw = tensor.rawData;
  if (raw && raw.length > 0) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const data = new Float32Array(raw.byteLength / 4);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(i * 4, true);
    return { dims, data };
  }
  return { dims, data: Float32Array.from(tensor.floatData ?? []) };
}

/** A float32 initializer; a scalar when `dims` is empty. */
export function floatTensor(
  name: string,
  data: Float32Array,
  dims: readonly number[],
): onnx.ITensorProto {
  const rawData = new Uint8Array(data.length * 4);
  const view = new DataView(rawData.buffer);
  data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return { name, dataType: DataType.FLOAT, dims: [...dims], rawData };
}

/** An int8 initializer (weights and zero points). */
export function int8Tensor(
  name: string,
  data: Int8Array,
  dims: readonly number[],
): onnx.ITensorProto {
  return {
    name,
    dataType: DataType.INT8,
    dims: [...dims],
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

export function uint8Tensor(
  name: string,
  data: Uint8Array,
  dims: readonly number[],
): onnx.ITensorProto {
  return { name, dataType: DataType.UINT8, dims: [...dims], rawData: data };
}
