import { describe, expect, it, afterEach, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { INFERENCE_WORKER_SCRIPT } from '../../../../test/jest/inference-worker';
import { watchPiscina } from '../../../../test/helpers/piscina-tasks';
import { COMBINED_MODELS_DIR } from '../../../../tools/common/model-dirs';
import type { TextInput } from '../inference.types';
import { readModelConfig } from '../model/model-config';
import { findGraphFile } from '../model/model-files';
import { createPreprocessor } from '../preprocessing/create-preprocessor';
import { encodeInline } from './tokenizer-protocol';
import { OnnxModelRunner } from './onnx-model-runner';
import type { OnnxSessionOptions } from './onnx-graph';
import {
  MIN_OFFLOAD_CHARS,
  TokenizerPool,
  splitEvenly,
  type EncodingModel,
  type RunningModel,
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

const SESSION: OnnxSessionOptions = {
  executionProviders: ['cpu'],
  intraOpThreads: 1,
  interOpThreads: 0,
  allowSpinning: false,
};

/** A light graph as ThreadTextRunners describes it to the threads. */
function runningModel(name: string, maxLength = 128): RunningModel {
  const encoding = model(name, maxLength);
  const graphPath = findGraphFile(encoding.dir, 'fp32');
  if (graphPath === undefined) throw new Error(`${name} has no model.onnx`);
  return {
    ...encoding,
    run: {
      graphPath,
      padId: encoding.preprocessor.padId,
      maxPaddingFraction: 0.25,
      session: SESSION,
    },
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
      const expected = await encodeInline(target.preprocessor, inputs);
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
        (await encodeInline(target.preprocessor, inputs)).map((item) => item.ids),
      );
    }
  });

  it('adds no listener per task', async () => {
    const spam = model('spam-en');
    const tokenizers = pool(2);
    const threads = watchPiscina();
    try {
      for (let round = 0; round < 15; round++) {
        await tokenizers.encode(spam, [longText(round), longText(round + 1)], true);
      }
      expect(threads.completed()).toBe(30);
      expect(threads.errorListeners()).toBe(1);
    } finally {
      threads.stop();
    }
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
        (await encodeInline(spam.preprocessor, texts)).map((item) => item.ids),
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

describe('TokenizerPool.classify (light graphs encoded and run in a thread)', () => {
  it('gives the logits and truncation flags of running each text on the event loop', async () => {
    const tokenizers = pool(2);
    for (const target of [runningModel('spam-en', 64), runningModel('lang-id')]) {
      // Lengths from a few words to past the model's limit, so the thread groups by length.
      const texts = Array.from({ length: 10 }, (_, index) =>
        longText(index).slice(0, 40 * (index + 1) ** 2),
      );
      const local = await OnnxModelRunner.create(target.dir, target.run.graphPath, SESSION);
      try {
        const batch = await tokenizers.classify(target, texts);
        expect(batch.truncated).toHaveLength(texts.length);
        expect(batch.logits).toHaveLength(texts.length * batch.width);
        for (const [index, text] of texts.entries()) {
          const encoded = await target.preprocessor.encode(text);
          const alone = await local.run([encoded.ids], target.run.padId);
          expect({ index, truncated: batch.truncated[index] === 1 }).toEqual({
            index,
            truncated: encoded.truncated,
          });
          const row = batch.logits.subarray(index * batch.width, (index + 1) * batch.width);
          Array.from(row).forEach((value, label) =>
            expect(Math.abs(value - alone.data[label])).toBeLessThan(1e-4),
          );
        }
        expect(batch.paddedTokens).toBeGreaterThanOrEqual(texts.length);
      } finally {
        await local.release();
      }
    }
  });

  it('answers the same after the threads were told to forget the version', async () => {
    const tokenizers = pool(1);
    const spam = runningModel('spam-en');
    const texts = [longText(3), longText(4)];
    const before = await tokenizers.classify(spam, texts);
    tokenizers.forget(spam);
    const after = await tokenizers.classify(spam, texts);
    expect(Array.from(after.logits)).toEqual(Array.from(before.logits));
  });

  it('lets a task its thread started finish when it closes, rather than terminate it', async () => {
    // Terminating a thread while ONNX Runtime runs in it aborts the whole process, so close()
    // must wait; destroy() would reject this task with "Terminating worker thread".
    const tokenizers = pool(1);
    const spam = runningModel('spam-en');
    const first = await tokenizers.classify(spam, [longText(0)]); // thread up, session open
    const running = tokenizers.classify(spam, [longText(1), longText(2)]);
    await tokenizers.close();
    const batch = await running;
    expect(batch.logits).toHaveLength(2 * first.width);
  });

  it('rejects when the thread fails, and the caller turns the threads off with one warning', async () => {
    const broken = join(mkdtempSync(join(tmpdir(), 'sift-tokenizer-')), 'broken-worker.js');
    writeFileSync(broken, 'module.exports = () => { throw new Error("thread broke"); };');
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const spam = runningModel('spam-en');
    const tokenizers = pool(2, broken);
    expect(tokenizers.available(spam)).toBe(true);
    await expect(tokenizers.classify(spam, [longText(1)])).rejects.toThrow('thread broke');
    tokenizers.reportFailure(spam, new Error('thread broke'));
    tokenizers.reportFailure(spam, new Error('thread broke'));
    expect(tokenizers.available(spam)).toBe(false);
    const fallbacks = warn.mock.calls.filter(([message]) =>
      String(message).startsWith('Tokenizer thread failed for spam-en'),
    );
    expect(fallbacks).toHaveLength(1);
    expect(String(fallbacks[0][0])).toContain('tokenized and run on the event loop');
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
