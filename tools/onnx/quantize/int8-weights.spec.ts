import { dequantize, quantizeSymmetric, transpose } from './int8-weights';

describe(quantizeSymmetric.name, () => {
  it('maps the largest magnitude to ±127 and keeps signs symmetric', () => {
    const sut = quantizeSymmetric(Float32Array.from([0.5, -1, 0.25, 1]), 2, false);

    expect(Array.from(sut.values)).toEqual([64, -127, 32, 127]);
    expect(sut.scales[0]).toBeCloseTo(1 / 127, 9);
  });

  it('gives each column its own scale, and an all-zero column scale 1', () => {
    const sut = quantizeSymmetric(Float32Array.from([2, 0, -4, 0]), 2, true);

    expect(Array.from(sut.values)).toEqual([64, 0, -127, 0]);
    expect(Array.from(sut.scales)).toEqual([Math.fround(4 / 127), 1]);
    expect(Array.from(dequantize(sut, 2))).toEqual([
      Math.fround(64 * Math.fround(4 / 127)),
      0,
      Math.fround(-127 * Math.fround(4 / 127)),
      0,
    ]);
  });
});

describe(transpose.name, () => {
  it('turns a row-major [2, 3] matrix into [3, 2]', () => {
    expect(Array.from(transpose(Float32Array.from([1, 2, 3, 4, 5, 6]), 2, 3))).toEqual([
      1, 4, 2, 5, 3, 6,
    ]);
  });
});
