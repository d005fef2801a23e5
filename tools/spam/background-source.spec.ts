import { SeededRandom } from '../common/seeded-random';
import { withBackgroundHam } from './background-source';
import type { TrainingSource } from './spam-classifier.trainer';

const corpusSource = (): TrainingSource => ({
  size: 2,
  example: (index) => ({ ids: [index + 10], label: 1 }),
});

describe(withBackgroundHam.name, () => {
  const encode = (text: string): { ids: number[] } => ({ ids: [text.length] });

  it('serves the corpus examples first, then every sentence as weighted ham', () => {
    const sut = withBackgroundHam(corpusSource(), ['hi', 'see you'], encode, 0.5);
    const random = new SeededRandom(1);

    const examples = Array.from({ length: sut.size }, (_, i) => sut.example(i, random));

    expect(examples).toEqual([
      { ids: [10], label: 1 },
      { ids: [11], label: 1 },
      { ids: [2], label: 0, weight: 0.5 },
      { ids: [7], label: 0, weight: 0.5 },
    ]);
  });

  it('adds nothing when there are no sentences', () => {
    const sut = withBackgroundHam(corpusSource(), [], encode, 1);

    expect(sut.size).toBe(2);
  });
});
