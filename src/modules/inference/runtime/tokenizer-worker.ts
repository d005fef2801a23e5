import { LRUCache } from 'lru-cache';
import { readModelConfig } from '../model/model-config';
import { createPreprocessor } from '../preprocessing/create-preprocessor';
import type { Preprocessor } from '../preprocessing/preprocessor.interface';
import { encodeInline, type EncodeTask, type EncodedBatch } from './tokenizer-protocol';

/**
 * A tokenizer thread of the TokenizerPool (a piscina worker): encodes texts with the same
 * preprocessor code the event loop would run, so ids are identical either way.
 *
 * Preprocessors are loaded from the model folder on first use and kept per folder, version and
 * length. Released versions are never announced to the pool, so the cache is bounded instead:
 * a version that stops getting tasks falls out once newer ones arrive.
 */
const preprocessors = new LRUCache<string, Preprocessor>({ max: 16 });

function preprocessorFor(task: EncodeTask): Preprocessor {
  const key = `${task.dir}\u0000${task.version}\u0000${task.maxLength}`;
  let preprocessor = preprocessors.get(key);
  if (preprocessor === undefined) {
    preprocessor = createPreprocessor(task.dir, readModelConfig(task.dir), task.maxLength);
    preprocessors.set(key, preprocessor);
  }
  return preprocessor;
}

export default function encodeTexts(task: EncodeTask): EncodedBatch {
  const preprocessor = preprocessorFor(task);
  const count = task.inputs.length;
  const encoded = encodeInline(preprocessor, task.inputs);
  const offsets = new Int32Array(count + 1);
  for (let index = 0; index < count; index++) {
    offsets[index + 1] = offsets[index] + encoded[index].ids.length;
  }
  const ids = new Int32Array(offsets[count]);
  const typeStarts = new Int32Array(count);
  const truncated = new Uint8Array(count);
  encoded.forEach((item, index) => {
    ids.set(item.ids, offsets[index]);
    typeStarts[index] = item.typeStart ?? -1;
    truncated[index] = item.truncated ? 1 : 0;
  });
  return { ids, offsets, typeStarts, truncated };
}
