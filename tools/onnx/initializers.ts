import { onnx } from 'onnx-proto';

/** A float32 initializer read back from a model file. */
export interface FloatInitializer {
  readonly dims: number[];
  readonly data: Float32Array;
}

/** The float32 initializers of a serialized model, by name (for tests and audits of written graphs). */
export function readFloatInitializers(bytes: Uint8Array): Map<string, FloatInitializer> {
  const model = onnx.ModelProto.decode(bytes);
  const tensors = new Map<string, FloatInitializer>();
  for (const t of model.graph?.initializer ?? []) {
    if (t.dataType !== onnx.TensorProto.DataType.FLOAT || !t.name) continue;
    // Copied: rawData may sit unaligned inside the protobuf buffer; Float32Array needs 4-byte alignment.
    const raw = Uint8Array.from(t.rawData ?? []);
    tensors.set(t.name, { dims: (t.dims ?? []).map(Number), data: new Float32Array(raw.buffer) });
  }
  return tensors;
}

/** Like `map.get`, but throws with the missing name. */
export function requireInitializer(
  tensors: ReadonlyMap<string, FloatInitializer>,
  name: string,
): FloatInitializer {
  const t = tensors.get(name);
  if (!t) throw new Error(`the graph lacks the initializer ${name}`);
  return t;
}
