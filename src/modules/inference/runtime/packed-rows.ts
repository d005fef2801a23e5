/**
 * A batch of token-id rows as two flat arrays: cheap to build, and their buffers can be
 * handed to a worker thread without copying.
 */
export interface PackedRows {
  /** Every row's ids, one row after another. */
  readonly ids: Int32Array;
  /** Each row's length, in order; `ids.length` is their sum. */
  readonly lengths: Int32Array;
}

export function packRows(rows: readonly (readonly number[])[]): PackedRows {
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
  return { ids, lengths };
}
