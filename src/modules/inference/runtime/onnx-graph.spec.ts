import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphBuilder } from '../../../../tools/onnx/graph-builder';
import { OnnxGraph, type OnnxSessionOptions } from './onnx-graph';
import { packRows } from './packed-rows';

const SESSION: OnnxSessionOptions = {
  executionProviders: ['cpu'],
  intraOpThreads: 1,
  interOpThreads: 1,
  allowSpinning: false,
};

type Integer = 'int64' | 'int32';

/** A graph that reports what it was fed: per row, the sums of each input it declares. */
function echoGraph(types: { ids: Integer; mask: Integer; tokenTypes?: Integer }): Uint8Array {
  const g = new GraphBuilder({ name: 'echo' });
  const dims = ['batch', 'sequence'];
  g.input('input_ids', types.ids, dims);
  g.input('attention_mask', types.mask, dims);
  if (types.tokenTypes !== undefined) g.input('token_type_ids', types.tokenTypes, dims);
  const sum = (name: string) =>
    g.op('ReduceSum', [g.cast(name, 'float32'), g.constInt64([1])], { keepdims: 1 });
  const columns = [sum('input_ids'), sum('attention_mask')];
  if (types.tokenTypes !== undefined) columns.push(sum('token_type_ids'));
  g.node('Concat', columns, ['logits'], { axis: 1 });
  g.output('logits', 'float32', ['batch', columns.length]);
  return g.toBytes();
}

describe(OnnxGraph.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'sift-onnx-graph-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function open(name: string, bytes: Uint8Array): Promise<OnnxGraph> {
    const path = join(dir, `${name}.onnx`);
    writeFileSync(path, bytes);
    return OnnxGraph.open(dir, path, SESSION);
  }

  const rows = [
    [5, 6, 7],
    [8, 9],
  ];

  it.each([
    ['int64', 'int64', 'int64'],
    ['int32', 'int32', 'int32'],
    ['int32', 'int64', 'int32'],
  ] as const)(
    'feeds ids %s, mask %s and token types %s as declared, padding on the right with the pad id',
    async (ids, mask, tokenTypes) => {
      const sut = await open(`echo-${ids}-${mask}`, echoGraph({ ids, mask, tokenTypes }));
      // Row 1 is a pair whose second text starts at position 1; row 0 is a single text.
      const { data, width } = await sut.run(packRows(rows, [undefined, 1]), 4);
      expect(width).toBe(3);
      expect(Array.from(data)).toEqual([18, 3, 0, 8 + 9 + 4, 2, 1]);
      await sut.release();
    },
  );

  it('feeds no token types to a graph that does not declare them (RoBERTa-style)', async () => {
    const sut = await open('echo-no-types', echoGraph({ ids: 'int64', mask: 'int32' }));
    const { data, width } = await sut.run(packRows(rows, [1, 1]), 0);
    expect(width).toBe(2);
    expect(Array.from(data)).toEqual([18, 3, 17, 2]);
    await sut.release();
  });

  it('refuses a graph input it cannot feed, naming it', async () => {
    const g = new GraphBuilder({ name: 'positions' });
    g.input('input_ids', 'int64', ['batch', 'sequence']);
    g.input('position_ids', 'int64', ['batch', 'sequence']);
    g.node('Cast', ['input_ids'], ['logits'], { to: 1 });
    g.output('logits', 'float32', ['batch', 'sequence']);
    await expect(open('positions', g.toBytes())).rejects.toThrow(
      'graph input "position_ids" is not one of input_ids, attention_mask, token_type_ids',
    );
  });
});
