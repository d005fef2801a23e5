import {
  buildHuffmanTree,
  huffmanLogProbabilities,
  huffmanPathMatrices,
} from './huffman-tree.builder';

describe(buildHuffmanTree.name, () => {
  it("builds fastText's tree, preferring the internal node when counts tie", () => {
    // Worked by hand from HierarchicalSoftmaxLoss::buildTree: node 4 = (3, 2), node 5 = (4, 1)
    // because leaf 1 (count 2) is not strictly below node 4 (count 2), root 6 = (5, 0).
    const sut = buildHuffmanTree([4, 2, 1, 1]);

    expect(sut.internalNodes).toBe(3);
    expect(sut.paths).toEqual([
      [{ node: 2, right: true }],
      [
        { node: 1, right: true },
        { node: 2, right: false },
      ],
      [
        { node: 0, right: true },
        { node: 1, right: false },
        { node: 2, right: false },
      ],
      [
        { node: 0, right: false },
        { node: 1, right: false },
        { node: 2, right: false },
      ],
    ]);
  });

  it('refuses fewer than two labels', () => {
    expect(() => buildHuffmanTree([5])).toThrow(/two labels/);
  });
});

describe(huffmanPathMatrices.name, () => {
  it('marks each label column with the nodes it passes right and left', () => {
    const { right, left } = huffmanPathMatrices(buildHuffmanTree([4, 2, 1, 1]));
    // Rows are nodes 0..2, columns labels 0..3.
    expect(Array.from(right)).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0]);
    expect(Array.from(left)).toEqual([0, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1]);
  });
});

describe(huffmanLogProbabilities.name, () => {
  it('gives probabilities that sum to one (up to the 1e-5 log floor)', () => {
    const tree = buildHuffmanTree([50, 20, 20, 5, 3, 1]);
    const output = {
      rows: 6,
      cols: 2,
      data: Float32Array.from([0.5, -1, 2, 0.1, -0.3, 0.7, 1.5, 1.5, -2, 0.25, 0, 0]),
    };
    const logp = huffmanLogProbabilities(tree, output, Float32Array.from([0.8, -0.4]));
    const total = Array.from(logp, Math.exp).reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(1, 3);
  });
});
