import { longestFirst } from './pair-truncation';

describe(longestFirst.name, () => {
  it('keeps both sequences whole when they fit', () => {
    expect(longestFirst(3, 4, 10)).toEqual([3, 4]);
  });

  it('cuts only the longer sequence while the shorter fits in half the budget', () => {
    expect(longestFirst(3, 20, 10)).toEqual([3, 7]);
    expect(longestFirst(20, 3, 10)).toEqual([7, 3]);
  });

  // Expected values from Hugging Face tokenizers (Rust) `truncate_encodings`, LongestFirst.
  it('splits the budget in half when both are long, the odd token to the longer one', () => {
    expect(longestFirst(10, 10, 15)).toEqual([7, 8]);
    expect(longestFirst(30, 12, 15)).toEqual([8, 7]);
    expect(longestFirst(12, 30, 16)).toEqual([8, 8]);
  });
});
