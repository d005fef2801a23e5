/**
 * The two lookups of fastText's input pipeline, as flat open-addressing tables: vocabulary
 * words by the FNV-1a hash of their UTF-8 bytes, and kept n-gram buckets to input-matrix rows.
 */

export const FNV_OFFSET_BASIS = 2166136261;
const FNV_PRIME = 16777619;

/** One FNV-1a step exactly as fastText does it: the byte is sign-extended as an int8 first. */
export function fnvStep(hash: number, byte: number): number {
  return Math.imul(hash ^ ((byte << 24) >> 24), FNV_PRIME) >>> 0;
}

/** FNV-1a of `bytes[start, end)`, continuing from `hash` (fastText's `Dictionary::hash`). */
function fnvHash(
  bytes: Uint8Array,
  start = 0,
  end = bytes.length,
  hash = FNV_OFFSET_BASIS,
): number {
  for (let i = start; i < end; i++) hash = fnvStep(hash, bytes[i]);
  return hash;
}

/** Power-of-two open-addressing table size with load factor at most 1/2. */
function tableSize(entries: number): number {
  let size = 16;
  while (size < entries * 2) size *= 2;
  return size;
}

/** Multiplicative scramble so consecutive buckets do not collide in a power-of-two table. */
function slotOf(key: number, mask: number): number {
  return (Math.imul(key, 0x9e3779b1) >>> 0) & mask;
}

/** Vocabulary words (UTF-8) to their ids, which are their input-matrix rows. */
export class WordTable {
  private readonly slots: Int32Array;
  private readonly hashes: Uint32Array;
  private readonly bytes: Buffer;
  private readonly starts: Int32Array;

  constructor(words: readonly Buffer[]) {
    this.bytes = Buffer.concat(words);
    this.starts = new Int32Array(words.length + 1);
    words.forEach((word, i) => (this.starts[i + 1] = this.starts[i] + word.length));
    this.hashes = Uint32Array.from(words, (word) => fnvHash(word));
    const mask = tableSize(words.length) - 1;
    this.slots = new Int32Array(mask + 1).fill(-1);
    this.hashes.forEach((hash, id) => {
      let slot = hash & mask;
      while (this.slots[slot] !== -1) slot = (slot + 1) & mask;
      this.slots[slot] = id;
    });
  }

  /** The id of the word `bytes[start, end)`, or -1. */
  find(bytes: Uint8Array, start: number, end: number): number {
    const hash = fnvHash(bytes, start, end);
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const id = this.slots[slot];
      if (id === -1) return -1;
      if (this.hashes[id] === hash && this.equals(id, bytes, start, end)) return id;
    }
  }

  private equals(id: number, bytes: Uint8Array, start: number, end: number): boolean {
    const from = this.starts[id];
    if (this.starts[id + 1] - from !== end - start) return false;
    for (let k = 0; k < end - start; k++)
      if (this.bytes[from + k] !== bytes[start + k]) return false;
    return true;
  }
}

/** Kept n-gram buckets (`hash % bucket`) to their input-matrix rows, after pruning. */
export class NgramTable {
  // Open addressing keyed by bucket (-1 = empty slot).
  private readonly keys: Int32Array;
  private readonly rows: Int32Array;

  constructor(buckets: readonly number[], rows: readonly number[]) {
    const mask = tableSize(buckets.length) - 1;
    this.keys = new Int32Array(mask + 1).fill(-1);
    this.rows = new Int32Array(mask + 1);
    buckets.forEach((bucket, i) => {
      let slot = slotOf(bucket, mask);
      while (this.keys[slot] !== -1) slot = (slot + 1) & mask;
      this.keys[slot] = bucket;
      this.rows[slot] = rows[i];
    });
  }

  /** The row of a kept bucket, or -1 for a pruned one. */
  row(bucket: number): number {
    const mask = this.keys.length - 1;
    for (let slot = slotOf(bucket, mask); ; slot = (slot + 1) & mask) {
      const key = this.keys[slot];
      if (key === bucket) return this.rows[slot];
      if (key === -1) return -1;
    }
  }
}
