import { onnx } from 'onnx-proto';

import {
  dimsOf,
  floatAttribute,
  intAttribute,
  type QuantizeContext,
  type WeightLayout,
} from './quantize-context';
import { readFloatTensor } from './onnx-tensors';

/** What a rewrite did with one node. */
export type Rewrite =
  | { readonly kind: 'quantized'; readonly weight: string; readonly nodes: onnx.INodeProto[] }
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'untouched' };

/** Rewrites one node; `emit` receives shared nodes (DynamicQuantizeLinear) before `nodes`. */
export type NodeRewrite = (
  node: onnx.INodeProto,
  ctx: QuantizeContext,
  emit: (node: onnx.INodeProto) => void,
  perChannel: boolean,
) => Rewrite;

const skip = (reason: string): Rewrite => ({ kind: 'skipped', reason });

/** `MatMul(x, W)` with W a constant `[K, N]` float matrix. */
export const rewriteMatMul: NodeRewrite = (node, ctx, emit, perChannel) => {
  const [x, w] = node.input ?? [];
  const weight = ctx.constantFloat(w);
  if (typeof weight === 'string') return skip(weight);
  if (dimsOf(weight).length !== 2) return skip(`${w} is not a 2-D matrix`);
  const layout = { transposed: false, perColumn: perChannel, factor: 1 };
  return integerMatMul(node, ctx, emit, x, weight, layout, node.output?.[0] ?? '');
};

/**
 * `Gemm(A, B, C)` as `MatMul` + `Add`: `transB` is applied to the stored weight, `alpha` is
 * folded into its scale and `beta` into a constant bias. A transposed A would need a Transpose
 * node in front, so it is left float.
 */
export const rewriteGemm: NodeRewrite = (node, ctx, emit, perChannel) => {
  const [a, b, c] = node.input ?? [];
  if (intAttribute(node, 'transA', 0) !== 0) return skip('transA=1 is not supported');
  const weight = ctx.constantFloat(b);
  if (typeof weight === 'string') return skip(weight);
  if (dimsOf(weight).length !== 2) return skip(`${b} is not a 2-D matrix`);
  const beta = floatAttribute(node, 'beta', 1);
  let bias: string | undefined;
  if (c !== undefined && c !== '' && beta !== 0) {
    if (beta === 1) bias = c;
    else {
      const constant = ctx.constantFloat(c);
      if (typeof constant === 'string') return skip(`beta=${beta} with a bias that ${constant}`);
      const { dims, data } = readFloatTensor(constant);
      ctx.replaced.add(c);
      bias = ctx.addFloat(
        `${c}_beta`,
        data.map((v) => v * beta),
        dims,
      );
    }
  }
  const layout: WeightLayout = {
    transposed: intAttribute(node, 'transB', 0) !== 0,
    perColumn: perChannel,
    factor: floatAttribute(node, 'alpha', 1),
  };
  const output = node.output?.[0] ?? '';
  const product = bias === undefined ? output : ctx.fresh(`${output}_matmul`);
  const rewrite = integerMatMul(node, ctx, emit, a, weight, layout, product);
  if (rewrite.kind !== 'quantized' || bias === undefined) return rewrite;
  const add = { opType: 'Add', name: ctx.fresh(`${node.name}_bias`), input: [product, bias] };
  return { ...rewrite, nodes: [...rewrite.nodes, { ...add, output: [output] }] };
};

/** `Gather(table, ids)` on a constant float table, along axis 0: int8 table + DequantizeLinear. */
export const rewriteGather: NodeRewrite = (node, ctx) => {
  const [table, ids] = node.input ?? [];
  const weight = ctx.constantFloat(table);
  if (typeof weight === 'string') return { kind: 'untouched' };
  if (intAttribute(node, 'axis', 0) !== 0) return skip('only axis 0 (rows) is supported');
  const q = ctx.tableWeight(weight);
  const rows = ctx.fresh(`${node.output?.[0]}_quantized`);
  return {
    kind: 'quantized',
    weight: table,
    nodes: [
      { ...node, input: [q.values, ids], output: [rows] },
      {
        opType: 'DequantizeLinear',
        name: ctx.fresh(`${node.name}_DequantizeLinear`),
        input: [rows, q.scale, q.zeroPoint],
        output: [...(node.output ?? [])],
      },
    ],
  };
};

/**
 * x → DynamicQuantizeLinear → MatMulInteger(·, W_q) → Cast(float) → Mul(x_scale · W_scale):
 * the chain ONNX Runtime's DynamicQuantizeMatMul fusion looks for, so it becomes one kernel.
 */
function integerMatMul(
  node: onnx.INodeProto,
  ctx: QuantizeContext,
  emit: (node: onnx.INodeProto) => void,
  x: string,
  weight: onnx.ITensorProto,
  layout: WeightLayout,
  output: string,
): Rewrite {
  const w = ctx.matrixWeight(weight, layout);
  const a = ctx.activation(x, emit);
  const base = node.name || output;
  const integer = ctx.fresh(`${output}_MatMulInteger`);
  const asFloat = ctx.fresh(`${output}_cast`);
  const scale = ctx.fresh(`${output}_scale`);
  const to = onnx.TensorProto.DataType.FLOAT;
  return {
    kind: 'quantized',
    weight: weight.name ?? '',
    nodes: [
      {
        opType: 'MatMulInteger',
        name: ctx.fresh(`${base}_quant`),
        input: [a.values, w.values, a.zeroPoint, w.zeroPoint],
        output: [integer],
      },
      {
        opType: 'Cast',
        name: ctx.fresh(`${base}_cast`),
        input: [integer],
        output: [asFloat],
        attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: to }],
      },
      {
        opType: 'Mul',
        name: ctx.fresh(`${base}_scales_mul`),
        input: [a.scale, w.scale],
        output: [scale],
      },
      {
        opType: 'Mul',
        name: ctx.fresh(`${base}_output_scale_mul`),
        input: [asFloat, scale],
        output: [output],
      },
    ],
  };
}
