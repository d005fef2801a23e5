import { countWords, withoutWord, wordSpans } from './word-spans';

describe(wordSpans.name, () => {
  it('finds runs of non-whitespace, punctuation included, with UTF-16 offsets', () => {
    const text = ' Café 🎉 win!!\u00a0now\n';
    const sut = wordSpans(text);
    expect(sut.map((word) => word.text)).toEqual(['Café', '🎉', 'win!!', 'now']);
    for (const word of sut) expect(text.slice(word.start, word.end)).toBe(word.text);
    // The emoji is two UTF-16 code units.
    expect(sut[1]).toEqual({ text: '🎉', start: 6, end: 8 });
  });

  it('finds no word in a blank text', () => {
    expect(wordSpans(' \t\n')).toEqual([]);
  });
});

describe(countWords.name, () => {
  it.each(['', '  ', 'one', ' two  words ', 'Café 🎉 win!!\u00a0now', 'a\nb\tc'])(
    'counts what wordSpans finds in %j',
    (text) => {
      expect(countWords(text)).toBe(wordSpans(text).length);
    },
  );
});

describe(withoutWord.name, () => {
  it('deletes the characters of the word and keeps the whitespace around it', () => {
    const text = 'win a FREE cruise';
    const [, , free] = wordSpans(text);
    expect(withoutWord(text, free)).toBe('win a  cruise');
  });
});
