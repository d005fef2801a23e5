import { describe, expect, it, afterEach, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { INFERENCE_WORKER_SCRIPT } from '../../../../test/jest/inference-worker';
import { COMBINED_MODELS_DIR } from '../../../../tools/common/model-dirs';
import type { TextInput } from '../inference.types';
import { readModelConfig } from '../model/model-config';
import { createPreprocessor } from '../preprocessing/create-preprocessor';
import {
  MIN_OFFLOAD_CHARS,
  TokenizerPool,
  splitEvenly,
  type EncodingModel,
} from './tokenizer-pool';

const TOKENIZER_SCRIPT = join(dirname(INFERENCE_WORKER_SCRIPT), 'tokenizer-worker.js');

function model(name: string, maxLength = 128): EncodingModel {
  const dir = join(COMBINED_MODELS_DIR, name);
  return {
    name,
    dir,
    version: `test-${maxLength}`,
    maxSequenceLength: maxLength,
    preprocessor: createPreprocessor(dir, readModelConfig(dir), maxLength),
  };
}

/** Long enough to be offloaded; numbered so no two are alike. */
const longText = (index: number): string =>
  `Message ${index}: ` +
  'Please find the quarterly report attached, and call me about the FREE offer!!! '.repeat(
    4 + (index % 5),
  );

const pools: TokenizerPool[] = [];
function pool(size: number, script = TOKENIZER_SCRIPT): TokenizerPool {
  const created = new TokenizerPool({ size, script: () => script });
  pools.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((created) => created.close()));
  jest.restoreAllMocks();
});

describe('TokenizerPool', () => {
  it('gives the ids, truncation flags and pair offsets the event loop would', async () => {
    const bert = model('bert-bench', 48);
    const spam = model('spam-en', 64);
    const langId = model('lang-id');
    const tokenizers = pool(2);
    const singles = Array.from({ length: 12 }, (_, index) => longText(index));
    const pairs: TextInput[] = singles.map((text, index) => ({ text, pair: longText(index + 50) }));

    for (const [target, inputs] of [
      [spam, singles],
      [langId, singles],
      [bert, singles],
      [bert, pairs],
    ] as const) {
      // Not alone: each call waits for the next flush, as under load.
      const results = await Promise.all(
        inputs.map((input) => tokenizers.encode(target, [input], false)),
      );
      const expected = inputs.map((input) =>
        typeof input === 'string'
          ? target.preprocessor.encode(input)
          : target.preprocessor.encode(input.text, input.pair),
      );
      expect(results.flat()).toEqual(expected);
    }
    // The texts are longer than both models' limits, so truncation really was exercised.
    expect((await tokenizers.encode(bert, singles, true)).every((item) => item.truncated)).toBe(
      true,
    );
  });

  it('keeps concurrent requests of different models apart and in order', async () => {
    const spam = model('spam-en');
    const bert = model('bert-bench');
    const tokenizers = pool(2);
    const calls = Array.from({ length: 20 }, (_, index) => {
      const target = index % 2 === 0 ? spam : bert;
      const inputs = [longText(index), longText(index + 100)];
      return { target, inputs, result: tokenizers.encode(target, inputs, false) };
    });
    for (const { target, inputs, result } of calls) {
      expect((await result).map((item) => item.ids)).toEqual(
        inputs.map((input) => target.preprocessor.encode(input).ids),
      );
    }
  });

  it('adds no listener per task', async () => {
    const spam = model('spam-en');
    const tokenizers = pool(2);
    for (let round = 0; round < 15; round++) {
      await tokenizers.encode(spam, [longText(round), longText(round + 1)], true);
    }
    expect(tokenizers.completedTasks).toBe(30);
    expect(tokenizers.errorListeners).toBe(1);
  });

  it('falls back to the event loop, with one warning, when a thread cannot encode', async () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'sift-tokenizer-')), 'broken-worker.js');
    writeFileSync(broken, 'module.exports = () => { throw new Error("tokenizer thread broke"); };');
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const spam = model('spam-en');
    const tokenizers = pool(2, broken);
    const texts = [longText(1), longText(2), longText(3)];

    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(
        texts.map((text) => tokenizers.encode(spam, [text], false)),
      );
      expect(results.flat().map((item) => item.ids)).toEqual(
        texts.map((text) => spam.preprocessor.encode(text).ids),
      );
    }
    // Counted by message: the pool's 'error' event may log a line of its own.
    const fallbacks = warn.mock.calls.filter(([message]) =>
      String(message).startsWith('Tokenizer thread failed for spam-en'),
    );
    expect(fallbacks).toHaveLength(1);
    expect(String(fallbacks[0][0])).toContain('tokenizer thread broke');
  });

  it('tokenizes short texts, lone single texts and every text of a 0-thread pool in place', async () => {
    // A script that does not exist: any task sent to a thread would fail and log a warning.
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const spam = model('spam-en');
    const missing = join(tmpdir(), 'sift-no-such-tokenizer-worker.js');
    const short = 'x'.repeat(MIN_OFFLOAD_CHARS - 3);

    await pool(2, missing).encode(spam, [short, 'hi'], false);
    await pool(2, missing).encode(spam, [longText(1)], true);
    await pool(0, missing).encode(spam, [longText(1), longText(2)], false);
    expect(warn).not.toHaveBeenCalled();

    await pool(2, missing).encode(spam, [longText(1), longText(2)], true);
    // Counted by message: a thread that cannot load its script may also fire the pool's 'error'.
    const fallbacks = warn.mock.calls.filter(([message]) =>
      String(message).startsWith('Tokenizer thread failed for spam-en'),
    );
    expect(fallbacks).toHaveLength(1);
  });
});

describe('splitEvenly', () => {
  it('splits into contiguous, near-equal, non-empty chunks', () => {
    expect(splitEvenly([1, 2, 3, 4, 5], 2)).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    expect(splitEvenly([1, 2], 4)).toEqual([[1], [2]]);
    expect(splitEvenly([1, 2, 3], 1)).toEqual([[1, 2, 3]]);
    expect(splitEvenly([], 2)).toEqual([[]]);
  });
});
