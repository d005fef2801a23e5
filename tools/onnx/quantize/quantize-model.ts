import { onnx } from 'onnx-proto';

import { type NodeRewrite, rewriteGather, rewriteGemm, rewriteMatMul } from './node-rewrites';
import type { WeightFormat } from './int8-weights';
import { isExternal } from './onnx-tensors';
import { QuantizeContext } from './quantize-context';

/** Options of {@link quantizeModel}. */
export interface QuantizeOptions {
  /** One scale per output column of each MatMul/Gemm weight instead of one per tensor. */
  readonly perChannel?: boolean;
  /** Node names to leave float. */
  readonly exclude?: readonly string[];
  /**
   * How MatMul/Gemm weights are stored (default `int7`, right on every CPU); see
   * {@link WeightFormat} and `docs/performance.md` for the measurements behind the default.
   */
  readonly weightFormat?: WeightFormat;
}

/** One node the rewrite touched or passed over. */
export interface QuantizeNodeReport {
  readonly name: string;
  readonly opType: string;
  /** The weight quantized, for a quantized node. */
  readonly weight?: string;
  /** Why the node stayed float, for a skipped one. */
  readonly reason?: string;
}

/** The rewritten model and what happened to each candidate node. */
export interface QuantizeResult {
  readonly bytes: Uint8Array;
  readonly quantized: readonly QuantizeNodeReport[];
  readonly skipped: readonly QuantizeNodeReport[];
}

/** A graph the quantizer will not rewrite; the message says why. */
export class QuantizeRefusedError extends Error {
  override readonly name = 'QuantizeRefusedError';
}

/** `DynamicQuantizeLinear` first appears in opset 11. */
const MIN_OPSET = 11;

/** Ops that mean the graph is already quantized. */
const QUANTIZED_OPS = new Set([
  'MatMulInteger',
  'DynamicQuantizeLinear',
  'QuantizeLinear',
  'DequantizeLinear',
  'QLinearMatMul',
  'DynamicQuantizeMatMul',
  'MatMulIntegerToFloat',
]);

const REWRITES: Readonly<Record<string, NodeRewrite>> = {
  MatMul: rewriteMatMul,
  Gemm: rewriteGemm,
  Gather: rewriteGather,
};

/**
 * Dynamic int8 quantization of an ONNX model, in the manner of ONNX Runtime's
 * `quantize_dynamic` with `reduce_range`: constant MatMul/Gemm weights become symmetric 7-bit
 * int8 (see {@link WeightFormat} for the other formats) with activations
 * quantized at run time, and constant tables read by Gather become int8 + DequantizeLinear.
 * Everything else is copied unchanged. Throws {@link QuantizeRefusedError} for graphs it cannot
 * rewrite safely.
 */
export function quantizeModel(bytes: Uint8Array, options: QuantizeOptions = {}): QuantizeResult {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph) throw new QuantizeRefusedError('the model has no graph');
  refuseUnsafe(model, graph);
  const graphNodes = graph.node ?? [];

  const exclude = new Set(options.exclude ?? []);
  const ctx = new QuantizeContext(graph, options.weightFormat ?? 'int7');
  const nodes: onnx.INodeProto[] = [];
  const quantized: QuantizeNodeReport[] = [];
  const skipped: QuantizeNodeReport[] = [];
  for (const node of graphNodes) {
    const rewrite = REWRITES[node.opType ?? ''];
    const report = { name: node.name ?? '', opType: node.opType ?? '' };
    if (rewrite === undefined) {
      nodes.push(node);
      continue;
    }
    if (exclude.has(report.name)) {
      skipped.push({ ...report, reason: 'excluded by --exclude' });
      nodes.push(node);
      continue;
    }
    const result = rewrite(node, ctx, (n) => nodes.push(n), options.perChannel ?? false);
    if (result.kind === 'quantized') {
      nodes.push(...result.nodes);
      quantized.push({ ...report, weight: result.weight });
    } else {
      if (result.kind === 'skipped') skipped.push({ ...report, reason: result.reason });
      nodes.push(node);
    }
  }
  const unknownExcludes = [...exclude].filter((name) => !graphNodes.some((n) => n.name === name));
  if (unknownExcludes.length > 0) {
    throw new QuantizeRefusedError(`--exclude names no node: ${unknownExcludes.join(', ')}`);
  }
  if (quantized.length === 0) {
    throw new QuantizeRefusedError(
      'nothing to quantize: no MatMul/Gemm with a constant float weight, no Gather on a constant float table',
    );
  }

  const read = new Set(nodes.flatMap((n) => n.input ?? []));
  for (const o of graph.output ?? []) read.add(o.name ?? '');
  const kept = (graph.initializer ?? []).filter(
    (t) => !ctx.replaced.has(t.name ?? '') || read.has(t.name ?? ''),
  );
  graph.node = nodes;
  graph.initializer = [...kept, ...ctx.added];
  model.producerName = 'sift-quantize';
  return { bytes: onnx.ModelProto.encode(model).finish(), quantized, skipped };
}

function refuseUnsafe(model: onnx.ModelProto, graph: onnx.IGraphProto): void {
  const opset = model.opsetImport.find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx');
  const version = Number(opset?.version ?? 0);
  if (version < MIN_OPSET) {
    throw new QuantizeRefusedError(
      `the graph uses opset ${version}; dynamic quantization needs opset ${MIN_OPSET} or later (DynamicQuantizeLinear)`,
    );
  }
  for (const node of graph.node ?? []) {
    if (QUANTIZED_OPS.has(node.opType ?? '')) {
      throw new QuantizeRefusedError(
        `node ${node.name} is ${node.opType}: the graph is already quantized`,
      );
    }
    // Weights inside If/Loop/Scan bodies are out of reach of a top-level rewrite.
    if (node.attribute?.some((a) => a.g || (a.graphs?.length ?? 0) > 0)) {
      throw new QuantizeRefusedError(
        `node ${node.name} (${node.opType}) has a subgraph; control flow is not supported`,
      );
    }
  }
  const external = (graph.initializer ?? []).find(isExternal);
  if (external) {
    throw new QuantizeRefusedError(
      `initializer ${external.name} is stored as external data; save the model as one file first`,
    );
  }
}
