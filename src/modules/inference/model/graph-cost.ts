import { readFile } from 'node:fs/promises';
import { onnx } from 'onnx-proto';

/**
 * What a graph costs per text, read from its structure rather than timed: a timing taken at
 * start-up moved with the machine's load (spam-en read 0.2 ms on a quiet machine and 1.26 ms
 * beside a busy one), so placement flipped between two starts of the same build.
 */
export interface GraphCost {
  /**
   * Elements of every constant weight a `MatMul` or `Gemm` multiplies by: the multiply-adds a
   * token (or a pooled text) pays. Embedding tables read by `Gather` are lookups and do not count.
   */
  readonly denseWeights: number;
  /** A `MatMul` of two computed tensors (attention's Q·Kᵀ): cost that grows with length². */
  readonly hasAttention: boolean;
}

/**
 * Most dense weights a graph may have and still count as light. The shipped light models have
 * 74,112 (spam-en: three members side by side, a block-diagonal 384×192 layer and 192×2) and 64,400 (lang-id) and run 512
 * tokens in well under a millisecond; bert-bench, the smallest transformer we serve, has 3.1
 * million and takes tens of milliseconds. The threshold sits far from both.
 */
export const LIGHT_GRAPH_MAX_DENSE_WEIGHTS = 262_144;

/** Whether a graph is cheap enough to run on the event loop and to batch without a token cap. */
export function isLightGraph(cost: GraphCost): boolean {
  return !cost.hasAttention && cost.denseWeights <= LIGHT_GRAPH_MAX_DENSE_WEIGHTS;
}

/**
 * Reads a model file's structure. Decoding is cheap (tensor bytes stay views into the file's
 * buffer: 10–40 ms for bert-bench's 33 MB); the read itself is asynchronous.
 */
export async function readGraphCost(graphPath: string): Promise<GraphCost> {
  return graphCost(await readGraph(graphPath));
}

/** Decodes a model file's graph, for the structural reads here and in int8-weight-range.ts. */
export async function readGraph(graphPath: string): Promise<onnx.IGraphProto> {
  return onnx.ModelProto.decode(await readFile(graphPath)).graph ?? {};
}

/** The cost of one decoded graph (exported for tests on built graphs). */
export function graphCost(graph: onnx.IGraphProto): GraphCost {
  const constants = new Map<string, number>();
  for (const tensor of graph.initializer ?? []) {
    if (tensor.name) constants.set(tensor.name, elementCount(tensor.dims));
  }
  for (const node of graph.node ?? []) {
    if (node.opType !== 'Constant') continue;
    const value = node.attribute?.find((attribute) => attribute.name === 'value')?.t;
    const output = node.output?.[0];
    if (value && output) constants.set(output, elementCount(value.dims));
  }
  let denseWeights = 0;
  let hasAttention = false;
  for (const node of graph.node ?? []) {
    if (node.opType !== 'MatMul' && node.opType !== 'Gemm') continue;
    const [left, right] = node.input ?? [];
    const weights = constants.get(right ?? '') ?? constants.get(left ?? '');
    if (weights === undefined) {
      hasAttention = true;
    } else {
      denseWeights += weights;
    }
  }
  return { denseWeights, hasAttention };
}

/** protobufjs decodes int64 fields as numbers, or as Long objects where `long` is installed. */
type Int64 = number | { toNumber(): number };

function int64(value: Int64): number {
  return typeof value === 'number' ? value : value.toNumber();
}

function elementCount(dims: readonly Int64[] | null | undefined): number {
  return (dims ?? []).reduce<number>((product, dim) => product * int64(dim), 1);
}
