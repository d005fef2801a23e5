import { PassThrough, Readable } from 'node:stream';
import { StreamIdleError, untilIdle } from './idle-limit';

async function collect(source: AsyncIterable<string>): Promise<string[]> {
  const seen: string[] = [];
  for await (const chunk of source) seen.push(chunk);
  return seen;
}

describe(untilIdle.name, () => {
  it('passes every chunk of a source that ends', async () => {
    const source = Readable.from(['a', 'b', 'c']) as AsyncIterable<string>;
    expect(await collect(untilIdle(source, 60_000))).toEqual(['a', 'b', 'c']);
  });

  it('throws StreamIdleError when a read waits past the limit, leaving the source open', async () => {
    const body = new PassThrough({ encoding: 'utf8' });
    body.write('first');
    const seen: string[] = [];
    const reading = (async () => {
      for await (const chunk of untilIdle(body as AsyncIterable<string>, 20)) seen.push(chunk);
    })();
    await expect(reading).rejects.toBeInstanceOf(StreamIdleError);
    expect(seen).toEqual(['first']);
    // Destroying a request body would close its connection before the answer is written.
    expect(body.destroyed).toBe(false);
    body.destroy();
  });

  it('releases the source when its consumer leaves early', async () => {
    const body = new PassThrough({ encoding: 'utf8' });
    body.write('only');
    for await (const chunk of untilIdle(body as AsyncIterable<string>, 60_000)) {
      expect(chunk).toBe('only');
      break;
    }
    expect(body.destroyed).toBe(true);
  });
});
