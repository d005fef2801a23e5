import { SeededRandom } from '../common/seeded-random';
import { cropAugmentedSource, randomCrop, sentenceCrop, splitSentences } from './text-crops';

const MESSAGE = `Lunch on Friday?

Hi Sam, are you free on Friday? The usual place
at noon works for me. Bring the slides!

Thanks,
Kim`;

describe('splitSentences', () => {
  it('re-joins wrapped lines and cuts after . ! or ? and at blank lines', () => {
    expect(splitSentences(MESSAGE)).toEqual([
      'Lunch on Friday?',
      'Hi Sam, are you free on Friday?',
      'The usual place at noon works for me.',
      'Bring the slides!',
      'Thanks, Kim',
    ]);
  });
});

describe('sentenceCrop', () => {
  it('takes the asked number of consecutive sentences', () => {
    const sentences = splitSentences(MESSAGE);
    const crop = sentenceCrop(MESSAGE, 2, new SeededRandom(3));

    const start = sentences.findIndex((s) => crop.startsWith(s));
    expect(crop).toBe(sentences.slice(start, start + 2).join(' '));
  });

  it('returns the whole text when it has fewer sentences than asked', () => {
    expect(sentenceCrop('Hello there', 3, new SeededRandom(1))).toBe('Hello there');
  });
});

describe('randomCrop', () => {
  it('returns non-empty pieces of the message, the same ones for the same seed', () => {
    const draw = (seed: number): string[] => {
      const random = new SeededRandom(seed);
      return Array.from({ length: 50 }, () => randomCrop(MESSAGE, random));
    };
    const words = new Set(MESSAGE.split(/\s+/));

    const crops = draw(7);

    expect(crops).toEqual(draw(7));
    for (const crop of crops) {
      expect(crop.trim()).not.toBe('');
      for (const word of crop.split(/\s+/)) expect(words).toContain(word);
    }
    expect(new Set(crops).size).toBeGreaterThan(10);
  });
});

describe('cropAugmentedSource', () => {
  it('gives each whole message first, then crops that keep the message label', () => {
    const encode = (text: string): { ids: number[] } => ({
      ids: text.split(' ').map((w) => w.length),
    });
    const sut = cropAugmentedSource(
      [
        { text: MESSAGE, label: 0 },
        { text: 'Win cash now. Call today!', label: 1 },
      ],
      encode,
      2,
    );
    const random = new SeededRandom(1);

    expect(sut.size).toBe(6);
    expect(sut.example(1, random)).toEqual({ ...encode('Win cash now. Call today!'), label: 1 });
    expect([2, 3, 4, 5].map((i) => sut.example(i, random).label)).toEqual([0, 1, 0, 1]);
  });
});
