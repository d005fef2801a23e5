import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readModelPolicy, relabel, rerankIndex, selectVersions } from './model-policy';

describe(readModelPolicy.name, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sift-policy-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (content: unknown) =>
    writeFileSync(
      join(dir, 'sift.json'),
      typeof content === 'string' ? content : JSON.stringify(content),
    );

  it('serves the newest version only when there is no sift.json, as Triton does', () => {
    expect(readModelPolicy(dir).versionPolicy).toEqual({ latest: { num_versions: 1 } });
  });

  it('reads every setting', () => {
    write({
      version_policy: { specific: { versions: [1, 3] } },
      max_sequence_length: 128,
      max_batch_tokens: 2048,
      workers: 0,
      default_top_k: 1,
      labels: { '0': 'ok' },
      rerank_label: 'ok',
    });
    expect(readModelPolicy(dir)).toEqual({
      versionPolicy: { specific: { versions: [1, 3] } },
      maxSequenceLength: 128,
      maxBatchTokens: 2048,
      workers: 0,
      defaultTopK: 1,
      labels: { '0': 'ok' },
      rerankLabel: 'ok',
    });
  });

  it('names the file and the field of a bad value', () => {
    write({ workers: -1 });
    expect(() => readModelPolicy(dir)).toThrow(/sift\.json: workers: .*>=0/);
  });

  it('rejects unknown fields, so a typo does not silently do nothing', () => {
    write({ max_seq_len: 128 });
    expect(() => readModelPolicy(dir)).toThrow(/sift\.json: .*max_seq_len/);
  });

  it('names the file on invalid JSON', () => {
    write('{');
    expect(() => readModelPolicy(dir)).toThrow(/sift\.json: invalid JSON/);
  });
});

describe(selectVersions.name, () => {
  it('picks the newest n, all, or a list', () => {
    expect(selectVersions({ latest: { num_versions: 2 } }, [3, 1, 2])).toEqual([2, 3]);
    expect(selectVersions({ all: {} }, [2, 1])).toEqual([1, 2]);
    expect(selectVersions({ specific: { versions: [1, 5] } }, [1, 2])).toEqual([1]);
  });
});

describe(relabel.name, () => {
  it('renames by id or by label and keeps the rest', () => {
    expect(relabel(['LABEL_0', 'LABEL_1', 'c'], { '0': 'ham', LABEL_1: 'spam' })).toEqual([
      'ham',
      'spam',
      'c',
    ]);
  });
});

describe(rerankIndex.name, () => {
  it('ranks by the last label unless rerank_label names one', () => {
    expect(rerankIndex('m', ['LABEL_0'], undefined)).toBe(0);
    expect(rerankIndex('m', ['irrelevant', 'relevant'], undefined)).toBe(1);
    expect(rerankIndex('m', ['entailment', 'neutral', 'contradiction'], 'entailment')).toBe(0);
  });

  it('refuses a rerank_label the model does not have, naming its labels', () => {
    expect(() => rerankIndex('m', ['no', 'yes'], 'Yes')).toThrow(
      /sift\.json: rerank_label "Yes" is not one of the model's labels \(no, yes\)/,
    );
  });
});
