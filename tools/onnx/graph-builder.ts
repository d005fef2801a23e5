import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { onnx } from 'onnx-proto';
import { toAttribute, type OnnxAttributes } from './onnx-attributes';
import {
  ELEMENT_TYPE_CODES,
  littleEndianBytes,
  toBigInt,
  valueInfo,
  type OnnxDim,
  type OnnxElementType,
} from './onnx-values';

export { OnnxAttr } from './onnx-attributes';

/** Options for a {@link GraphBuilder}. */
export interface GraphBuilderOptions {
  /** Graph name stored in the model. Default `'main'`. */
  readonly name?: string;
  /** Default-domain opset version. Default 17. */
  readonly opsetVersion?: number;
  /** IR version. Default 8 (what opset 17 tooling writes). */
  readonly irVersion?: number;
  /** Producer name stored in the model. Default `'sift-tools'`. */
  readonly producerName?: string;
  /** Free-text description stored in the model. */
  readonly docString?: string;
  /** Extra opset imports, e.g. `{ 'com.microsoft': 1 }`. */
  readonly extraOpsets?: Readonly<Record<string, number>>;
}

/** Options for a single node. */
export interface OnnxNodeOptions {
  /** Node name; defaults to `<opType>_<n>`. */
  readonly name?: string;
  /** Operator domain; defaults to the ONNX default domain. */
  readonly domain?: string;
}

/**
 * Builds an ONNX ModelProto node by node and serializes it.
 *
 * Names are the contract: every node input must already exist (a graph input, an
 * initializer or an earlier node's output), which keeps the graph topologically sorted as
 * ONNX requires. `''` stands for an omitted optional input.
 *
 * @example
 * ```ts
 * const g = new GraphBuilder({ name: 'tiny' });
 * g.input('input_ids', 'int64', ['batch', 'sequence']);
 * g.initializerFloat32('emb', embeddings, [vocab, dim]);
 * const x = g.op('Gather', ['emb', 'input_ids']);
 * const pooled = g.op('ReduceMean', [x, g.constInt64([1])], { keepdims: 0 });
 * g.node('MatMul', [pooled, 'w'], ['logits']);
 * g.output('logits', 'float32', ['batch', 2]);
 * g.save('models/x/onnx/model.onnx');
 * ```
 */
export class GraphBuilder {
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly known = new Set<string>();
  private readonly metadata = new Map<string, string>();
  private counter = 0;

  constructor(private readonly options: GraphBuilderOptions = {}) {}

  /** Declares a graph input. Returns its name. */
  input(name: string, type: OnnxElementType, dims: readonly OnnxDim[]): string {
    this.define(name);
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  /** Declares a graph output; the name must be produced by a node (or be an input/initializer). */
  output(name: string, type: OnnxElementType, dims: readonly OnnxDim[]): string {
    this.requireKnown(name, 'graph output');
    this.outputs.push(valueInfo(name, type, dims));
    return name;
  }

  /** Adds a float32 initializer (stored as little-endian raw data). Returns its name. */
  initializerFloat32(
    name: string,
    data: Float32Array | readonly number[],
    dims: readonly number[],
  ): string {
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    return this.initializer(name, 'float32', littleEndianBytes(values), values.length, dims);
  }

  /** Adds an int64 initializer. Numbers must be safe integers. Returns its name. */
  initializerInt64(
    name: string,
    data: BigInt64Array | readonly number[],
    dims: readonly number[],
  ): string {
    const values = data instanceof BigInt64Array ? data : BigInt64Array.from(data, toBigInt);
    return this.initializer(name, 'int64', littleEndianBytes(values), values.length, dims);
  }

  /** Adds an anonymous 1-D int64 constant (axes, shapes, indices). Returns its generated name. */
  constInt64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.initializerInt64(this.fresh('const_i64'), values, dims);
  }

  /** Adds an anonymous float32 constant; a scalar when `dims` is `[]` (the default for one value). */
  constFloat32(values: readonly number[], dims?: readonly number[]): string {
    const shape = dims ?? (values.length === 1 ? [] : [values.length]);
    return this.initializerFloat32(this.fresh('const_f32'), values, shape);
  }

  /**
   * Adds a node with explicit output names. Returns the output names so single-output calls
   * can be destructured: `const [y] = g.node('Relu', [x], ['y'])`.
   */
  node(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attributes: OnnxAttributes = {},
    options: OnnxNodeOptions = {},
  ): string[] {
    for (const name of inputs) {
      if (name !== '') this.requireKnown(name, `input of ${opType}`);
    }
    for (const name of outputs) this.define(name);
    this.nodes.push({
      opType,
      input: [...inputs],
      output: [...outputs],
      name: options.name ?? this.fresh(opType),
      domain: options.domain ?? '',
      attribute: Object.entries(attributes).map(([key, value]) => toAttribute(key, value)),
    });
    return [...outputs];
  }

  /** Adds a single-output node with a generated output name and returns that name, for chaining. */
  op(
    opType: string,
    inputs: readonly string[],
    attributes: OnnxAttributes = {},
    options: OnnxNodeOptions = {},
  ): string {
    const [out] = this.node(opType, inputs, [this.fresh(`${opType}_out`)], attributes, options);
    return out;
  }

  /** `Unsqueeze` with opset-13+ semantics (axes as an int64 input). */
  unsqueeze(x: string, axes: readonly number[], output?: string): string {
    const [out] = this.node(
      'Unsqueeze',
      [x, this.constInt64(axes)],
      [output ?? this.fresh('Unsqueeze_out')],
    );
    return out;
  }

  /** `Cast` to the given element type. */
  cast(x: string, to: OnnxElementType, output?: string): string {
    const [out] = this.node('Cast', [x], [output ?? this.fresh('Cast_out')], {
      to: ELEMENT_TYPE_CODES[to],
    });
    return out;
  }

  /** `x @ w + b` (MatMul then Add), the usual dense layer; `b` may be omitted. */
  dense(x: string, weight: string, bias?: string, output?: string): string {
    if (bias === undefined) {
      const [out] = this.node('MatMul', [x, weight], [output ?? this.fresh('MatMul_out')]);
      return out;
    }
    const [out] = this.node(
      'Add',
      [this.op('MatMul', [x, weight]), bias],
      [output ?? this.fresh('Add_out')],
    );
    return out;
  }

  /** Stores a key/value pair in the model's `metadata_props`. */
  setMetadata(key: string, value: string): this {
    this.metadata.set(key, value);
    return this;
  }

  /** Assembles the ModelProto; throws if a graph output was never declared. */
  toModelProto(): onnx.ModelProto {
    if (this.outputs.length === 0) throw new Error('GraphBuilder: the graph has no outputs');
    const opsets: onnx.IOperatorSetIdProto[] = [
      { domain: '', version: this.options.opsetVersion ?? 17 },
    ];
    for (const [domain, version] of Object.entries(this.options.extraOpsets ?? {})) {
      opsets.push({ domain, version });
    }
    return onnx.ModelProto.create({
      irVersion: this.options.irVersion ?? 8,
      producerName: this.options.producerName ?? 'sift-tools',
      producerVersion: '1',
      docString: this.options.docString ?? '',
      opsetImport: opsets,
      metadataProps: [...this.metadata].map(([key, value]) => ({ key, value })),
      graph: {
        name: this.options.name ?? 'main',
        node: this.nodes,
        input: this.inputs,
        output: this.outputs,
        initializer: this.initializers,
      },
    });
  }

  /** Serializes the model to protobuf bytes (what `InferenceSession.create` accepts). */
  toBytes(): Uint8Array {
    return onnx.ModelProto.encode(this.toModelProto()).finish();
  }

  /** Writes the model to `path`, creating parent folders. Returns the byte length written. */
  save(path: string): number {
    const bytes = this.toBytes();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
    return bytes.length;
  }

  private initializer(
    name: string,
    type: OnnxElementType,
    rawData: Uint8Array,
    length: number,
    dims: readonly number[],
  ): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (expected !== length) {
      throw new Error(
        `GraphBuilder: initializer ${name} has ${length} values but dims [${dims.join(', ')}]`,
      );
    }
    this.define(name);
    this.initializers.push({ name, dataType: ELEMENT_TYPE_CODES[type], dims: [...dims], rawData });
    return name;
  }

  private define(name: string): void {
    if (name === '') throw new Error('GraphBuilder: tensor names must not be empty');
    if (this.known.has(name)) throw new Error(`GraphBuilder: tensor ${name} is defined twice`);
    this.known.add(name);
  }

  private requireKnown(name: string, role: string): void {
    if (!this.known.has(name))
      throw new Error(`GraphBuilder: ${role} refers to unknown tensor ${name}`);
  }

  private fresh(prefix: string): string {
    let name: string;
    do {
      name = `${prefix}_${this.counter++}`;
    } while (this.known.has(name));
    return name;
  }
}
