/**
 * Sequential little-endian reader over a byte buffer. fastText writes its model files with
 * raw `ostream::write` of x86 values, so every field is little-endian and unpadded.
 */
export class BinaryReader {
  private readonly view: DataView;
  private position = 0;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Current byte offset, for error messages. */
  get offset(): number {
    return this.position;
  }

  /** True once every byte has been consumed. */
  get done(): boolean {
    return this.position === this.bytes.byteLength;
  }

  int8(): number {
    return this.view.getInt8(this.advance(1));
  }

  uint8(): number {
    return this.view.getUint8(this.advance(1));
  }

  bool(): boolean {
    return this.uint8() !== 0;
  }

  int32(): number {
    return this.view.getInt32(this.advance(4), true);
  }

  /** Reads an int64; throws when it does not fit a JS number exactly. */
  int64(): number {
    const at = this.position;
    const value = this.view.getBigInt64(this.advance(8), true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new Error(`int64 at byte ${at} is outside the safe integer range: ${value}`);
    }
    return Number(value);
  }

  float64(): number {
    return this.view.getFloat64(this.advance(8), true);
  }

  /** Reads `count` float32 values into a fresh array (copied, so alignment never matters). */
  float32Array(count: number): Float32Array {
    const start = this.advance(count * 4);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.view.getFloat32(start + i * 4, true);
    return out;
  }

  /** Returns a view (not a copy) of the next `count` bytes. */
  bytesView(count: number): Uint8Array {
    const start = this.advance(count);
    return this.bytes.subarray(start, start + count);
  }

  /** Reads bytes up to (and consumes) a NUL terminator; returns them without it. */
  cString(): Uint8Array {
    const start = this.position;
    const end = this.bytes.indexOf(0, start);
    if (end < 0) throw new Error(`unterminated string at byte ${start}`);
    this.position = end + 1;
    return this.bytes.subarray(start, end);
  }

  private advance(count: number): number {
    const start = this.position;
    if (count < 0 || start + count > this.bytes.byteLength) {
      throw new Error(
        `unexpected end of file: need ${count} bytes at byte ${start} of ${this.bytes.byteLength}`,
      );
    }
    this.position = start + count;
    return start;
  }
}
