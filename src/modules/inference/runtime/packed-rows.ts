/**
 * A batch of token-id rows as two flat arrays: cheap to build, and their buffers can be
 * handed to a worker thread without copying.
 */
export interface PackedRows {
  /** Every row's ids, one row after another. */
  readonly ids: Int32Array;
  /** Each row's length, in order; `ids.length` is their sum. */
  readonly lengths: Int32Array;
  /**
   * Where each row's second sequence of a text pair starts (its `token_type_ids` are 1 from
   * there on); absent when no row is a pair, so single-text batches carry nothing extra.
   */
  readonly typeStarts?: Int32Array;
}

/** `typeStarts[i]`: where row i's second sequence starts, or undefined for a single text. */
export function packRows(
  rows: readonly (readonly number[])[],
  typeStarts?: readonly (number | undefined)[],
): PackedRows {
  let total = 0;
  for (const row of rows) total += row.length;
  const ids = new Int32Array(total);
  const lengths = new Int32Array(rows.length);
  let offset = 0;
  rows.forEach((row, index) => {
    ids.set(row, offset);
    lengths[index] = row.length;
    offset += row.length;
  });
  if (typeStarts === undefined || typeStarts.every((start) => start === undefined)) {
    return { ids, lengths };
  }
  const starts = Int32Array.from(rows, (row, index) => typeStarts[index] ?? row.length);
  return { ids, lengths, typeStarts: starts };
}
