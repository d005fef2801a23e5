import type { CachedAnswer } from '../../cache/prediction-cache.service';
import { rankPassages } from './rerank-scores';

/** An answer with these probabilities and logits, label by label. */
function answer(probabilities: number[], logits: number[]): CachedAnswer {
  return {
    prediction: { label: 'x', score: 0, probabilities, logits, truncated: false },
    cached: false,
  };
}

describe(rankPassages.name, () => {
  const answers = [
    answer([0.7, 0.3], [1, -2]),
    answer([0.2, 0.8], [0, 3]),
    answer([0.4, 0.6], [-1, 2]),
  ];

  it("sorts passages by the rerank label's probability, highest first", () => {
    expect(rankPassages({ rerankIndex: 1 }, answers, false)).toEqual([
      { index: 1, score: 0.8 },
      { index: 2, score: 0.6 },
      { index: 0, score: 0.3 },
    ]);
    expect(rankPassages({ rerankIndex: 0 }, answers, false).map((p) => p.index)).toEqual([0, 2, 1]);
  });

  it("gives the rerank label's logit with raw scores", () => {
    expect(rankPassages({ rerankIndex: 1 }, answers, true)).toEqual([
      { index: 1, score: 3 },
      { index: 2, score: 2 },
      { index: 0, score: -2 },
    ]);
  });

  it('keeps request order between equal scores', () => {
    const tied = [answer([0.5], [0]), answer([0.9], [2]), answer([0.5], [0])];
    expect(rankPassages({ rerankIndex: 0 }, tied, false).map((p) => p.index)).toEqual([1, 0, 2]);
  });
});
