import type { LabeledText } from './corpus';
import { shortWordCrops } from './spam-en.evaluation';

const MESSAGES: LabeledText[] = Array.from({ length: 50 }, (_, i) => ({
  id: `easy-ham-1/${i}`,
  label: i % 2 === 0 ? 'ham' : 'spam',
  text: `Subject ${i}\n\n${Array.from({ length: 20 + i }, (_, w) => `w${i}x${w}`).join(' ')}`,
}));

describe('shortWordCrops', () => {
  it('keeps 1–8 consecutive words of each message, with its id and label', () => {
    const crops = shortWordCrops(MESSAGES);

    crops.forEach((crop, i) => {
      const words = crop.text.split(' ');
      const source = MESSAGES[i].text.split(/\s+/);
      const start = source.indexOf(words[0]);
      expect(words.length).toBeGreaterThanOrEqual(1);
      expect(words.length).toBeLessThanOrEqual(8);
      expect(source.slice(start, start + words.length)).toEqual(words);
      expect(crop.id).toBe(MESSAGES[i].id);
      expect(crop.label).toBe(MESSAGES[i].label);
    });
    expect(new Set(crops.map((c) => c.text.split(' ').length)).size).toBe(8);
  });

  it('draws the same crops every time, so every build scores the same texts', () => {
    expect(shortWordCrops(MESSAGES)).toEqual(shortWordCrops(MESSAGES));
  });

  it('returns a message shorter than the draw whole', () => {
    const [crop] = shortWordCrops([{ id: 'spam-1/1', label: 'spam', text: 'Hello' }]);

    expect(crop.text).toBe('Hello');
  });
});
