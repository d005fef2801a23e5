import { GraphBuilder } from '../onnx/graph-builder';
import type { FastTextModel } from './ftz.parser';
import { buildHuffmanTree, huffmanPathMatrices } from './huffman-tree.builder';

/** fastText's `std_log` adds this before taking a log, which floors every probability. */
const STD_LOG_EPSILON = 1e-5;

/**
 * The ONNX graph of a supervised fastText model with a hierarchical softmax:
 *
 *   hidden = masked mean of input-matrix rows[input_ids]            (Model::computeHidden)
 *   f      = sigmoid(hidden · Woᵀ) for the labels-1 internal nodes   (HierarchicalSoftmaxLoss::dfs)
 *   logits = log(f + 1e-5) · R + log(1 - f + 1e-5) · L              (sum along each leaf's path)
 *
 * R and L are the 0/1 path matrices of fastText's Huffman tree, so `logits` holds exactly the
 * log-probabilities fastText's `predict` exponentiates; the tree walk needs no loop.
 */
export function buildFastTextGraph(model: FastTextModel, docString = ''): GraphBuilder {
  const { args, dictionary, input, output } = model;
  if (args.model !== 'sup')
    throw new Error(`only supervised models classify; this one is ${args.model}`);
  if (args.loss !== 'hs')
    throw new Error(`only the hierarchical softmax (hs) loss is supported, not ${args.loss}`);
  const labels = dictionary.nlabels;
  const tree = buildHuffmanTree(dictionary.entries.slice(dictionary.nwords).map((e) => e.count));
  if (output.rows < tree.internalNodes) {
    throw new Error(`output matrix has ${output.rows} rows; the tree needs ${tree.internalNodes}`);
  }
  const { right, left } = huffmanPathMatrices(tree);
  const dim = args.dim;

  const g = new GraphBuilder({ name: 'fasttext_hs', docString });
  g.input('input_ids', 'int64', ['batch', 'sequence']);
  g.input('attention_mask', 'int64', ['batch', 'sequence']);
  g.initializerFloat32('input_matrix', input.data, [input.rows, dim]);
  g.initializerFloat32('node_weights_t', transposedRows(output.data, tree.internalNodes, dim), [
    dim,
    tree.internalNodes,
  ]);
  g.initializerFloat32('path_right', right, [tree.internalNodes, labels]);
  g.initializerFloat32('path_left', left, [tree.internalNodes, labels]);

  // Masked mean. Padding ids point at a real row (0), so the mask, not the id, removes them.
  const rows = g.op('Gather', ['input_matrix', 'input_ids'], { axis: 0 });
  const mask = g.cast('attention_mask', 'float32');
  const summed = g.op(
    'ReduceSum',
    [g.op('Mul', [rows, g.unsqueeze(mask, [2])]), g.constInt64([1])],
    { keepdims: 0 },
  );
  const count = g.op('ReduceSum', [mask, g.constInt64([1])], { keepdims: 1 });
  // fastText multiplies by float(1/n); Reciprocal then Mul rounds the same way. Max(…, 1) only
  // guards an all-padding row, which the preprocessor never produces (it always adds `</s>`).
  const scale = g.op('Reciprocal', [g.op('Max', [count, g.constFloat32([1])])]);
  const hidden = g.op('Mul', [summed, scale]);

  // 1 / (1 + exp(-x)) as fastText writes it, not ONNX Sigmoid: onnxruntime's Sigmoid is a
  // fast approximation with ~1e-7 absolute error, which near fastText's 1e-5 floor moves
  // small probabilities by ~1%. Exp is accurate to float precision; it overflows to inf for
  // x < -88, giving f = 0 exactly as fastText's float `std::exp` does.
  const one = g.constFloat32([1]);
  const z = g.op('MatMul', [hidden, 'node_weights_t']);
  const f = g.op('Div', [one, g.op('Add', [one, g.op('Exp', [g.op('Neg', [z])])])]);
  const eps = g.constFloat32([STD_LOG_EPSILON]);
  const logF = g.op('Log', [g.op('Add', [f, eps])]);
  const logNotF = g.op('Log', [g.op('Add', [g.op('Sub', [one, f]), eps])]);
  g.node(
    'Add',
    [g.op('MatMul', [logF, 'path_right']), g.op('MatMul', [logNotF, 'path_left'])],
    ['logits'],
  );
  g.output('logits', 'float32', ['batch', labels]);
  return g;
}

/** The first `rows` rows of a row-major `[*, cols]` matrix, transposed to `[cols, rows]`. */
function transposedRows(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}
