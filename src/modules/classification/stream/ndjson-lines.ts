const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** One line of an NDJSON body, numbered from 1; a line over the limit keeps only its size. */
export type NdjsonLine =
  | { readonly number: number; readonly text: string }
  | { readonly number: number; readonly tooLongBytes: number };

/**
 * Splits a byte stream into lines, yielding the lines each chunk completes together (so a
 * caller batches what arrived at once and never waits for lines not yet sent). At most
 * `maxLineBytes` of one line are held: past it the line's bytes are only counted, so memory
 * stays bounded whatever a client sends. A last line without a newline still counts.
 */
export async function* ndjsonLines(
  source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  maxLineBytes: number,
): AsyncGenerator<NdjsonLine[]> {
  let parts: Buffer[] = [];
  let held = 0;
  // Bytes of the current line once it ran past the limit; 0 while it fits.
  let overflow = 0;
  let number = 0;

  const append = (piece: Buffer): void => {
    if (piece.length === 0) return;
    if (overflow > 0 || held + piece.length > maxLineBytes) {
      overflow += held + piece.length;
      parts = [];
      held = 0;
    } else {
      // A copy: a view would keep the whole chunk alive for a few bytes of it.
      parts.push(Buffer.from(piece));
      held += piece.length;
    }
  };
  const finish = (): NdjsonLine => {
    number++;
    let line: NdjsonLine;
    if (overflow > 0) line = { number, tooLongBytes: overflow };
    else {
      let bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts, held);
      if (bytes.at(-1) === CARRIAGE_RETURN) bytes = bytes.subarray(0, -1);
      line = { number, text: bytes.toString('utf8') };
    }
    parts = [];
    held = 0;
    overflow = 0;
    return line;
  };

  for await (const received of source) {
    const chunk = typeof received === 'string' ? Buffer.from(received) : received;
    const lines: NdjsonLine[] = [];
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      append(chunk.subarray(start, end));
      lines.push(finish());
      start = end + 1;
    }
    append(chunk.subarray(start));
    if (lines.length > 0) yield lines;
  }
  if (held > 0 || overflow > 0) yield [finish()];
}
