import { ndjsonLines, type NdjsonLine } from './ndjson-lines';

async function linesOf(chunks: string[], maxLineBytes = 16): Promise<NdjsonLine[][]> {
  const groups: NdjsonLine[][] = [];
  for await (const group of ndjsonLines(chunks, maxLineBytes)) groups.push(group);
  return groups;
}

describe(ndjsonLines.name, () => {
  it('yields the lines each chunk completes together, numbered from 1', async () => {
    expect(await linesOf(['a\nb', 'c\nd\n', 'e'])).toEqual([
      [{ number: 1, text: 'a' }],
      [
        { number: 2, text: 'bc' },
        { number: 3, text: 'd' },
      ],
      [{ number: 4, text: 'e' }],
    ]);
  });

  it('keeps empty lines and drops a carriage return before the newline', async () => {
    expect(await linesOf(['x\r\n\ny\n'])).toEqual([
      [
        { number: 1, text: 'x' },
        { number: 2, text: '' },
        { number: 3, text: 'y' },
      ],
    ]);
  });

  it('counts a line over the limit without holding it, and goes on', async () => {
    const long = 'z'.repeat(40);
    expect(await linesOf([`${long.slice(0, 10)}`, `${long.slice(10)}\nok\n`])).toEqual([
      [
        { number: 1, tooLongBytes: 40 },
        { number: 2, text: 'ok' },
      ],
    ]);
  });

  it('joins a multi-byte character split across chunks', async () => {
    const bytes = Buffer.from('é\n');
    const groups: NdjsonLine[][] = [];
    for await (const group of ndjsonLines([bytes.subarray(0, 1), bytes.subarray(1)], 16)) {
      groups.push(group);
    }
    expect(groups).toEqual([[{ number: 1, text: 'é' }]]);
  });
});
