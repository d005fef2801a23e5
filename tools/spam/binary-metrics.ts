/** Confusion counts and scores for a two-class problem where class 1 is the positive one. */
export interface BinaryMetrics {
  readonly total: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly trueNegatives: number;
  readonly accuracy: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/** Scores predictions against labels (both 0/1, same order). */
export function binaryMetrics(
  predicted: readonly number[],
  actual: readonly number[],
): BinaryMetrics {
  if (predicted.length !== actual.length)
    throw new Error('predictions and labels differ in length');
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  predicted.forEach((p, i) => {
    if (p === 1 && actual[i] === 1) tp++;
    else if (p === 1) fp++;
    else if (actual[i] === 1) fn++;
    else tn++;
  });
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  return {
    total: predicted.length,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    trueNegatives: tn,
    accuracy: (tp + tn) / Math.max(predicted.length, 1),
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
  };
}
