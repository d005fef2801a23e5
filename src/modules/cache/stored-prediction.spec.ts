import {
  freezePrediction,
  isStoredPrediction,
  restorePrediction,
  toStoredPrediction,
} from './stored-prediction';

describe(restorePrediction.name, () => {
  it('rebuilds label and score as inference does, first highest probability winning', () => {
    expect(
      restorePrediction({ probabilities: [0.25, 0.5, 0.5], logits: [-1, 0, 0], truncated: true }, [
        'a',
        'b',
        'c',
      ]),
    ).toEqual({
      label: 'b',
      score: 0.5,
      probabilities: [0.25, 0.5, 0.5],
      logits: [-1, 0, 0],
      truncated: true,
    });
  });

  it('round-trips what toStoredPrediction keeps', () => {
    const prediction = {
      label: 'spam',
      score: 0.9,
      probabilities: [0.1, 0.9],
      logits: [-1.1, 1.1],
      truncated: false,
    };
    expect(restorePrediction(toStoredPrediction(prediction), ['ham', 'spam'])).toEqual(prediction);
  });

  it('freezes a copy, so no caller can change an entry the memory tier shares', () => {
    const prediction = {
      label: 'spam',
      score: 0.9,
      probabilities: [0.1, 0.9],
      logits: [-1.1, 1.1],
      truncated: false,
    };
    const frozen = freezePrediction(prediction);
    prediction.probabilities[0] = 0.5;
    expect(frozen.probabilities).toEqual([0.1, 0.9]);
    expect(Object.isFrozen(frozen) && Object.isFrozen(frozen.probabilities)).toBe(true);
    const restored = restorePrediction(toStoredPrediction(frozen), ['ham', 'spam']);
    expect(Object.isFrozen(restored) && Object.isFrozen(restored.logits)).toBe(true);
  });
});

describe(isStoredPrediction.name, () => {
  it('accepts probabilities and logits for every label and a truncated flag', () => {
    expect(
      isStoredPrediction({ probabilities: [0.1, 0.9], logits: [0, 2.2], truncated: false }, 2),
    ).toBe(true);
  });

  it.each([
    ['null', null],
    ['a string', 'oops'],
    ['too few probabilities', { probabilities: [1], truncated: false }],
    ['a non-number probability', { probabilities: [0.1, null], truncated: false }],
    ['no truncated flag', { probabilities: [0.1, 0.9], logits: [0, 2.2] }],
    [
      'no logits (an entry from before logits were kept)',
      { probabilities: [0.1, 0.9], truncated: false },
    ],
    ['too few logits', { probabilities: [0.1, 0.9], logits: [0], truncated: false }],
  ])('rejects %s', (_, value) => {
    expect(isStoredPrediction(value, 2)).toBe(false);
  });
});
