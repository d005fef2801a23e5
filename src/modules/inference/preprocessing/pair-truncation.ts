/**
 * How many tokens of each sequence of a pair to keep within `budget` (the model's maximum
 * length less the special tokens): Hugging Face tokenizers' `longest_first`, which Python's
 * `truncation=True` uses. The shorter sequence is kept whole when it fits in half the budget;
 * otherwise both get half, the originally longer one the odd token.
 */
export function longestFirst(first: number, second: number, budget: number): [number, number] {
  if (first + second <= budget) return [first, second];
  const swapped = first > second;
  let shorter = swapped ? second : first;
  let longer: number;
  if (shorter > budget) longer = shorter;
  else longer = Math.max(shorter, budget - shorter);
  if (shorter + longer > budget) {
    shorter = Math.floor(budget / 2);
    longer = shorter + (budget % 2);
  }
  const keptFirst = Math.min(first, swapped ? longer : shorter);
  const keptSecond = Math.min(second, swapped ? shorter : longer);
  return [keptFirst, keptSecond];
}
