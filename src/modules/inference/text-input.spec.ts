import { batchKey } from './text-input';

describe(batchKey.name, () => {
  it('keys a plain text by itself', () => {
    expect(batchKey('hello')).toBe('hello');
  });

  it('never gives a pair the key of a text, nor two different pairs one key', () => {
    const pair = { text: 'ab', pair: 'c' };
    const keys = new Set([
      batchKey(pair),
      batchKey({ text: 'a', pair: 'bc' }),
      batchKey(`\u00002:abc`),
      batchKey('abc'),
    ]);
    expect(keys.size).toBe(4);
    expect(batchKey({ ...pair })).toBe(batchKey(pair));
  });
});
