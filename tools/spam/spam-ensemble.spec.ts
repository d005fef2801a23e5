import { SeededRandom } from '../common/seeded-random';
import { type SpamClassifierWeights, spamForward } from './spam-classifier.model';
import { mergeSpamEnsemble, withTemperature } from './spam-ensemble';

function randomWeights(seed: number): SpamClassifierWeights {
  const random = new SeededRandom(seed);
  const [vocabSize, dim, hidden, labels] = [11, 3, 4, 2];
  return {
    vocabSize,
    dim,
    hidden,
    labels,
    embeddings: random.normalArray(vocabSize * dim, 1),
    typeEmbeddings: random.normalArray(2 * dim, 1),
    w1: random.normalArray(2 * dim * hidden, 1),
    b1: random.normalArray(hidden, 1),
    w2: random.normalArray(hidden * labels, 1),
    b2: random.normalArray(labels, 1),
  };
}

describe(mergeSpamEnsemble.name, () => {
  it('gives the mean of its members’ logits, through mean and max pooling', () => {
    const members = [1, 2, 3].map(randomWeights);
    const sut = mergeSpamEnsemble(members);
    const text = { ids: [0, 4, 4, 9, 2, 10], typeIds: [0, 0, 1, 1, 0, 1] };

    const merged = spamForward(sut, text).logits;

    for (let k = 0; k < 2; k++) {
      const mean = members.reduce((s, m) => s + spamForward(m, text).logits[k], 0) / 3;
      expect(merged[k]).toBeCloseTo(mean, 5);
    }
    expect([sut.dim, sut.hidden]).toEqual([9, 12]);
  });

  it('refuses members of different shapes', () => {
    const other = { ...randomWeights(2), dim: 5 };

    expect(() => mergeSpamEnsemble([randomWeights(1), other])).toThrow(/share/);
  });
});

describe(withTemperature.name, () => {
  it('divides both logits by the temperature', () => {
    const weights = randomWeights(4);
    const text = { ids: [1, 2, 3] };

    const scaled = spamForward(withTemperature(weights, 2), text).logits;

    const plain = spamForward(weights, text).logits;
    for (let k = 0; k < 2; k++) expect(scaled[k]).toBeCloseTo(plain[k] / 2, 5);
  });
});
