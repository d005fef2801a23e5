import { expectedCalibrationError, positiveProbability } from './calibration';

describe('positiveProbability', () => {
  it('is the softmax probability of class 1', () => {
    expect(positiveProbability([0, 0])).toBeCloseTo(0.5, 12);
    expect(positiveProbability([1, 3])).toBeCloseTo(Math.exp(3) / (Math.exp(1) + Math.exp(3)), 12);
  });
});

describe('expectedCalibrationError', () => {
  it('is zero when each confidence level is right that often', () => {
    // Confidence 0.75 in every case, right in three of four.
    expect(expectedCalibrationError([0.75, 0.75, 0.75, 0.25], [1, 1, 0, 0])).toBeCloseTo(0, 12);
  });

  it('is the size-weighted gap between confidence and accuracy per bin', () => {
    // Two certain and right; two at 0.9 confidence and both wrong: gap 0.9 on half the cases.
    expect(expectedCalibrationError([1, 0, 0.9, 0.1], [1, 0, 0, 1])).toBeCloseTo(0.45, 12);
  });
});
