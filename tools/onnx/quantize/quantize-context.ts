import { onnx } from 'onnx-proto';

import {
  INT8_LIMIT,
  type Int8Weight,
  quantizeSymmetric,
  transpose,
  UINT8_ZERO_POINT,
  type WeightFormat,
  weightLimit,
} from './int8-weights';
import {
  dimsOf,
  floatTensor,
  int8Tensor,
  isExternal,
  readFloatTensor,
  uint8Tensor,
} from './onnx-tensors';

/** The int8 form of one constant weight, as initializer names. */
export interface QuantizedWeightNames {
  readonly values: string;
  readonly scale: string;
  readonly zeroPoint: string;
}

/** What `DynamicQuantizeLinear` makes of one activation: uint8 values, scale, zero point. */
export interface QuantizedActivationNames {
  readonly values: string;
  readonly scale: string;
  readonly zeroPoint: string;
}

/** How a float weight is laid out for its int8 form. */
export interface WeightLayout {
  /** The stored matrix is `[N, K]` and must become `[K, N]` (Gemm `transB`). */
  readonly transposed: boolean;
  /** One scale per output column instead of one per tensor. */
  readonly perColumn: boolean;
  /** A factor folded into the scale (Gemm `alpha`). */
  readonly factor: number;
}

/**
 * The state one rewrite shares between nodes: which names are taken, which initializers are
 * constant floats, and the int8 tensors and `DynamicQuantizeLinear` nodes made so far, so a
 * weight or activation read by several nodes is quantized once.
 */
export class QuantizeContext {
  readonly added: onnx.ITensorProto[] = [];
  /** Float initializers that some rewrite replaced; dropped at the end if nothing reads them. */
  readonly replaced = new Set<string>();
  private readonly taken = new Set<string>();
  private readonly initializers = new Map<string, onnx.ITensorProto>();
  private readonly weights = new Map<string, QuantizedWeightNames>();
  private readonly activations = new Map<string, QuantizedActivationNames>();

  constructor(
    graph: onnx.IGraphProto,
    /** How MatMul/Gemm weights are stored; Gather tables are always full-range int8. */
    private readonly weightFormat: WeightFormat = 'int7',
  ) {
    const inputs = new Set((graph.input ?? []).map((i) => i.name ?? ''));
    for (const t of graph.initializer ?? []) {
      this.taken.add(t.name ?? '');
      // An initializer that is also a graph input is only a default: callers may override it.
      if (t.name && !inputs.has(t.name)) this.initializers.set(t.name, t);
    }
    for (const name of inputs) this.taken.add(name);
    for (const node of graph.node ?? []) {
      for (const name of [...(node.input ?? []), ...(node.output ?? []), node.name ?? ''])
        this.taken.add(name);
    }
  }

  /**
   * The float32 constant behind `name`, or why there is none: the reason a node is skipped.
   */
  constantFloat(name: string): onnx.ITensorProto | string {
    const t = this.initializers.get(name);
    if (t === undefined) return `${name} is not a constant initializer`;
    if (t.dataType !== onnx.TensorProto.DataType.FLOAT)
      return `${name} is ${onnx.TensorProto.DataType[t.dataType ?? 0]}, not float32`;
    if (isExternal(t)) return `${name} is stored as external data`;
    return t;
  }

  /** A name no tensor or node in the graph uses yet. */
  fresh(base: string): string {
    let name = base;
    for (let n = 1; this.taken.has(name); n++) name = `${base}_${n}`;
    this.taken.add(name);
    return name;
  }

  /** Adds a float32 initializer under a fresh name derived from `base`. */
  addFloat(base: string, data: Float32Array, dims: readonly number[]): string {
    const name = this.fresh(base);
    this.added.push(floatTensor(name, data, dims));
    return name;
  }

  /** The int8 form of a 2-D weight in `[K, N]` layout, made once per weight and layout. */
  matrixWeight(tensor: onnx.ITensorProto, layout: WeightLayout): QuantizedWeightNames {
    const name = tensor.name ?? '';
    const key = `${name}|${layout.transposed}|${layout.perColumn}|${layout.factor}`;
    const known = this.weights.get(key);
    if (known) return known;
    const { dims, data } = readFloatTensor(tensor);
    const [rows, columns] = layout.transposed ? [dims[1], dims[0]] : [dims[0], dims[1]];
    const kn = layout.transposed ? transpose(data, dims[0], dims[1]) : data;
    const format = this.weightFormat;
    const q = quantizeSymmetric(kn, columns, layout.perColumn, weightLimit(format));
    const scaleDims = layout.perColumn ? [columns] : [];
    const names = this.addWeight(name, q, [rows, columns], scaleDims, layout, format);
    this.weights.set(key, names);
    return names;
  }

  /**
   * The int8 form of a table read by `Gather`, one scale per tensor. Full range: its rows are
   * only dequantized, never multiplied in integers, so no kernel can saturate on them.
   */
  tableWeight(tensor: onnx.ITensorProto): QuantizedWeightNames {
    const name = tensor.name ?? '';
    const key = `${name}|table`;
    const known = this.weights.get(key);
    if (known) return known;
    const { dims, data } = readFloatTensor(tensor);
    const q = quantizeSymmetric(data, 1, false, INT8_LIMIT);
    const layout = { transposed: false, perColumn: false, factor: 1 };
    const names = this.addWeight(name, q, dims, [], layout, 'int8');
    this.weights.set(key, names);
    return names;
  }

  /** One `DynamicQuantizeLinear` per activation, shared by every node that reads it. */
  activation(name: string, emit: (node: onnx.INodeProto) => void): QuantizedActivationNames {
    const known = this.activations.get(name);
    if (known) return known;
    const names = {
      values: this.fresh(`${name}_quantized`),
      scale: this.fresh(`${name}_scale`),
      zeroPoint: this.fresh(`${name}_zero_point`),
    };
    emit({
      opType: 'DynamicQuantizeLinear',
      name: this.fresh(`${name}_QuantizeLinear`),
      input: [name],
      output: [names.values, names.scale, names.zeroPoint],
    });
    this.activations.set(name, names);
    return names;
  }

  private addWeight(
    name: string,
    { values, scales }: Int8Weight,
    dims: readonly number[],
    scaleDims: readonly number[],
    layout: WeightLayout,
    format: WeightFormat,
  ): QuantizedWeightNames {
    this.replaced.add(name);
    const suffix = layout.transposed ? '_transposed' : '';
    const valuesName = this.fresh(`${name}${suffix}_quantized`);
    const zeroPoint = this.fresh(`${name}${suffix}_zero_point`);
    if (format === 'uint8') {
      const shifted = Uint8Array.from(values, (q) => q + UINT8_ZERO_POINT);
      this.added.push(uint8Tensor(valuesName, shifted, dims));
      const zeros = new Uint8Array(scales.length).fill(UINT8_ZERO_POINT);
      this.added.push(uint8Tensor(zeroPoint, zeros, scaleDims));
    } else {
      this.added.push(int8Tensor(valuesName, values, dims));
      this.added.push(int8Tensor(zeroPoint, new Int8Array(scales.length), scaleDims));
    }
    const scale = this.addFloat(
      `${name}${suffix}_scale`,
      scales.map((s) => s * layout.factor),
      scaleDims,
    );
    return { values: valuesName, scale, zeroPoint };
  }
}

/** An integer attribute of a node, or `fallback` when absent. */
export function intAttribute(node: onnx.INodeProto, name: string, fallback: number): number {
  const a = node.attribute?.find((x) => x.name === name);
  return a?.i === undefined || a.i === null ? fallback : Number(a.i);
}

/** A float attribute of a node, or `fallback` when absent. */
export function floatAttribute(node: onnx.INodeProto, name: string, fallback: number): number {
  const a = node.attribute?.find((x) => x.name === name);
  return a?.f === undefined || a.f === null ? fallback : a.f;
}

/** The dims of a constant, for shape checks. */
export { dimsOf };
