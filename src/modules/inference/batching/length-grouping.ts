/**
 * Splits one dispatch into runs of similar length so a single long text does not make
 * every short one pay for its padding. Items are sorted by length; a new group starts when
 * adding the next item would leave more than half of the padded group as padding.
 */
export function groupBySimilarLength<T>(items: readonly T[], lengthOf: (item: T) => number): T[][] {
  if (items.length <= 1) return items.length === 0 ? [] : [[...items]];
  const sorted = [...items].sort((a, b) => lengthOf(a) - lengthOf(b));
  const groups: T[][] = [];
  let current: T[] = [];
  let realTokens = 0;
  for (const item of sorted) {
    const length = lengthOf(item);
    const padded = length * (current.length + 1);
    const wasteAfterAdding = padded - (realTokens + length);
    if (current.length > 0 && wasteAfterAdding * 2 > padded) {
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
