import { argmax, compareProbabilities, softmax } from './fidelity';

describe(compareProbabilities.name, () => {
  it('counts top-1 agreement and the largest and mean change per text', () => {
    const sut = compareProbabilities(
      [
        [0.9, 0.1],
        [0.45, 0.55],
      ],
      [
        [0.8, 0.2],
        [0.55, 0.45],
      ],
    );

    expect(sut.texts).toBe(2);
    expect(sut.agreement).toBe(0.5);
    expect(sut.maxDelta).toBeCloseTo(0.1, 12);
    expect(sut.meanDelta).toBeCloseTo(0.1, 12);
  });

  it('refuses runs of different lengths', () => {
    expect(() => compareProbabilities([[1, 0]], [])).toThrow(/same, non-empty/);
  });
});

describe(softmax.name, () => {
  it('sums to one and keeps the order of the logits, even for large ones', () => {
    const p = softmax([1000, 1001, 999]);

    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(argmax(p)).toBe(1);
  });
});
