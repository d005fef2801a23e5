import type { DenseMatrix } from './ftz.parser';

/** One step from a leaf towards the root: the internal node passed and which child we came from. */
export interface HuffmanStep {
  /** Internal node index, i.e. the row of the output matrix fastText uses for it. */
  readonly node: number;
  /** True when the path continues through the node's right child (fastText's `binary` code). */
  readonly right: boolean;
}

/** fastText's hierarchical-softmax tree, as root-ward paths per label. */
export interface HuffmanTree {
  readonly labels: number;
  /** `labels - 1` internal nodes, numbered as output-matrix rows. */
  readonly internalNodes: number;
  /** `paths[label]` lists the steps from the leaf up to the root, as fastText stores them. */
  readonly paths: readonly (readonly HuffmanStep[])[];
}

/** Count fastText gives nodes that do not exist yet (`tree_[i].count = 1e15`). */
const UNSET_COUNT = 1e15;

/**
 * Rebuilds the Huffman tree of `HierarchicalSoftmaxLoss::buildTree` from the label counts
 * (in dictionary order, which is descending count). The two-queue merge and its tie-breaking
 * (a leaf wins only when strictly smaller than the next internal node) must match exactly,
 * or the paths, and so every probability, would differ from fastText's.
 */
export function buildHuffmanTree(counts: readonly number[]): HuffmanTree {
  const labels = counts.length;
  if (labels < 2) throw new Error('a hierarchical softmax needs at least two labels');
  const total = 2 * labels - 1;
  const count = new Float64Array(total).fill(UNSET_COUNT);
  const parent = new Int32Array(total).fill(-1);
  const right = new Uint8Array(total);
  counts.forEach((c, i) => (count[i] = c));

  let leaf = labels - 1;
  let next = labels;
  for (let i = labels; i < total; i++) {
    const pick = (): number => (leaf >= 0 && count[leaf] < count[next] ? leaf-- : next++);
    const first = pick();
    const second = pick();
    count[i] = count[first] + count[second];
    parent[first] = i;
    parent[second] = i;
    right[second] = 1;
  }

  const paths: HuffmanStep[][] = [];
  for (let i = 0; i < labels; i++) {
    const path: HuffmanStep[] = [];
    for (let j = i; parent[j] !== -1; j = parent[j]) {
      path.push({ node: parent[j] - labels, right: right[j] === 1 });
    }
    paths.push(path);
  }
  return { labels, internalNodes: labels - 1, paths };
}

/**
 * The 0/1 matrices `[internalNodes, labels]` that turn per-node log-sigmoids into per-label
 * log-probabilities: `log p = log(f + 1e-5) · R + log(1 - f + 1e-5) · L`.
 */
export function huffmanPathMatrices(tree: HuffmanTree): {
  right: Float32Array;
  left: Float32Array;
} {
  const right = new Float32Array(tree.internalNodes * tree.labels);
  const left = new Float32Array(tree.internalNodes * tree.labels);
  tree.paths.forEach((path, label) => {
    for (const step of path) (step.right ? right : left)[step.node * tree.labels + label] = 1;
  });
  return { right, left };
}

/**
 * Log-probability of every label for a hidden vector, computed as fastText's
 * `HierarchicalSoftmaxLoss::dfs` does (float32 dot, exact sigmoid, `log(x + 1e-5)`), summing
 * root-first like its recursion. A reference for tests; the ONNX graph computes the same thing.
 */
export function huffmanLogProbabilities(
  tree: HuffmanTree,
  output: DenseMatrix,
  hidden: Float32Array,
): Float64Array {
  const f = new Float64Array(tree.internalNodes);
  for (let node = 0; node < tree.internalNodes; node++) {
    let dot = 0;
    for (let j = 0; j < output.cols; j++)
      dot = Math.fround(dot + Math.fround(output.data[node * output.cols + j] * hidden[j]));
    f[node] = Math.fround(1 / (1 + Math.fround(Math.exp(-dot))));
  }
  const out = new Float64Array(tree.labels);
  tree.paths.forEach((path, label) => {
    let score = 0;
    for (let s = path.length - 1; s >= 0; s--) {
      const { node, right } = path[s];
      const x = Math.fround(right ? f[node] : 1 - f[node]);
      score = Math.fround(score + Math.fround(Math.log(x + 1e-5)));
    }
    out[label] = score;
  });
  return out;
}
