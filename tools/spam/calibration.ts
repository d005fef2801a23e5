/** Softmax probability of class 1 for two logits. */
export function positiveProbability(logits: ArrayLike<number>): number {
  return 1 / (1 + Math.exp(logits[0] - logits[1]));
}

/**
 * Expected calibration error of binary predictions: predictions are put in `bins` equal-width bins
 * by confidence (the probability of the predicted class), and the gaps between each bin's mean
 * confidence and its accuracy are averaged, weighted by the bin's share of predictions.
 */
export function expectedCalibrationError(
  positiveProbabilities: readonly number[],
  labels: readonly number[],
  bins = 15,
): number {
  const confidence = new Float64Array(bins);
  const correct = new Float64Array(bins);
  const count = new Float64Array(bins);
  positiveProbabilities.forEach((p, i) => {
    const predicted = p > 0.5 ? 1 : 0;
    const c = Math.max(p, 1 - p);
    // Confidence lies in [0.5, 1]; the bins cover that range.
    const bin = Math.min(bins - 1, Math.floor((c - 0.5) * 2 * bins));
    confidence[bin] += c;
    correct[bin] += predicted === labels[i] ? 1 : 0;
    count[bin]++;
  });
  let ece = 0;
  for (let b = 0; b < bins; b++)
    if (count[b] > 0) ece += Math.abs(confidence[b] - correct[b]) / positiveProbabilities.length;
  return ece;
}

/**
 * The temperature `T` that minimises the mean log loss of `sigmoid(margin / T)` against `labels`,
 * where `margin` is the spam logit minus the ham logit (temperature scaling, Guo et al. 2017).
 * Golden-section search over log T in [-3, 3]; deterministic, and dividing both logits by `T`
 * never changes which label wins.
 */
export function fitTemperature(margins: readonly number[], labels: readonly number[]): number {
  const loss = (logT: number): number => {
    const t = Math.exp(logT);
    let sum = 0;
    margins.forEach((z, i) => {
      const signed = labels[i] === 1 ? z / t : -z / t;
      // log(1 + e^-x), stable for large |x|.
      sum += signed > 0 ? Math.log1p(Math.exp(-signed)) : -signed + Math.log1p(Math.exp(signed));
    });
    return sum / margins.length;
  };
  const ratio = (Math.sqrt(5) - 1) / 2;
  let [lo, hi] = [-3, 3];
  for (let i = 0; i < 100; i++) {
    const a = hi - ratio * (hi - lo);
    const b = lo + ratio * (hi - lo);
    if (loss(a) < loss(b)) hi = b;
    else lo = a;
  }
  return Math.exp((lo + hi) / 2);
}
