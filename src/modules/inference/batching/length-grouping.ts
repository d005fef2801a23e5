/**
 * Splits one dispatch into runs of similar length so a single long text does not make
 * every short one pay for its padding. Items are sorted by length; a new group starts when
 * adding the next item would make more than `maxPaddingFraction` of the group's padded
 * tokens padding. On CPUs padding is pure waste (and attention grows with the square of the
 * padded length), so the default is strict.
 */
export function groupBySimilarLength<T>(
  items: readonly T[],
  lengthOf: (item: T) => number,
  maxPaddingFraction = 0.25,
): T[][] {
  if (items.length <= 1) return items.length === 0 ? [] : [[...items]];
  const sorted = [...items].sort((a, b) => lengthOf(a) - lengthOf(b));
  const groups: T[][] = [];
  let current: T[] = [];
  let realTokens = 0;
  for (const item of sorted) {
    const length = lengthOf(item);
    const padded = length * (current.length + 1);
    const paddingAfterAdding = padded - (realTokens + length);
    if (current.length > 0 && paddingAfterAdding > maxPaddingFraction * padded) {
      groups.push(current);
      current = [];
      realTokens = 0;
    }
    current.push(item);
    realTokens += length;
  }
  groups.push(current);
  return groups;
}
