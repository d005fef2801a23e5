import { expectedCalibrationError, fitTemperature, positiveProbability } from './calibration';

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

describe('fitTemperature', () => {
  it('recovers the temperature that made over-confident margins', () => {
    // Margins drawn so that sigmoid(margin / 2) is the true spam rate: the fit should say 2.
    const margins: number[] = [];
    const labels: number[] = [];
    for (const z of [-6, -3, -1, 1, 3, 6]) {
      const p = 1 / (1 + Math.exp(-z / 2));
      for (let i = 0; i < 1000; i++) {
        margins.push(z);
        labels.push(i < Math.round(p * 1000) ? 1 : 0);
      }
    }

    expect(fitTemperature(margins, labels)).toBeCloseTo(2, 1);
  });
});
