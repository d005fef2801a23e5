import { alignTokens } from './token-offsets';

const WORDPIECE = { subwordPrefix: '##', unknownToken: '[UNK]' };

describe(alignTokens.name, () => {
  it('places words and ## continuations in code points, folding case and accents', () => {
    expect(alignTokens('Héllo, Worlds', ['hello', ',', 'world', '##s'], WORDPIECE)).toEqual([
      { start: 0, stop: 5 },
      { start: 5, stop: 6 },
      { start: 7, stop: 12 },
      { start: 12, stop: 13 },
    ]);
  });

  it('counts astral characters as one position each, as TEI does', () => {
    expect(alignTokens('😀 ok', ['[UNK]', 'ok'], WORDPIECE)).toEqual([
      { start: 0, stop: 1 },
      { start: 2, stop: 4 },
    ]);
  });

  it('gives null offsets to a token it cannot place, and goes on after it', () => {
    expect(alignTokens('abc def', ['xyz', 'abc', 'def'], WORDPIECE)).toEqual([
      { start: null, stop: null },
      { start: 0, stop: 3 },
      { start: 4, stop: 7 },
    ]);
  });
});
