import { groupBySimilarLength } from './length-grouping';

describe(groupBySimilarLength.name, () => {
  it('separates one long text from many short ones', () => {
    const lengths = [...Array.from({ length: 31 }, () => 10), 500];
    const groups = groupBySimilarLength(lengths, (length) => length);
    expect(groups).toHaveLength(2);
    expect(groups[1]).toEqual([500]);
  });

  it('splits more eagerly with a stricter padding budget', () => {
    const lengths = [10, 12, 14, 16, 20, 24];
    expect(groupBySimilarLength(lengths, (length) => length, 0.5)).toHaveLength(1);
    const strict = groupBySimilarLength(lengths, (length) => length, 0.1);
    expect(strict.length).toBeGreaterThan(1);
    for (const group of strict) {
      const longest = Math.max(...group);
      const real = group.reduce((sum, length) => sum + length, 0);
      expect(longest * group.length - real).toBeLessThanOrEqual(0.1 * longest * group.length);
    }
  });

  it('keeps texts of similar length together', () => {
    const groups = groupBySimilarLength([12, 10, 11, 14, 13], (length) => length);
    expect(groups).toEqual([[10, 11, 12, 13, 14]]);
  });
});
