import { LRUCache } from 'lru-cache';
import { BroadcastChannel } from 'node:worker_threads';
import { groupBySimilarLength } from '../batching/length-grouping';
import { readModelConfig } from '../model/model-config';
import { createPreprocessor } from '../preprocessing/create-preprocessor';
import type { EncodedText, Preprocessor } from '../preprocessing/preprocessor.interface';
import { OnnxGraph } from './onnx-graph';
import { packRows } from './packed-rows';
import {
  encodeInline,
  FORGET_CHANNEL,
  type ClassifiedBatch,
  type ForgetMessage,
  type EncodeTask,
  type EncodedBatch,
  type RunSpec,
} from './tokenizer-protocol';

/**
 * A tokenizer thread of the TokenizerPool (a piscina worker): encodes texts with the same
 * preprocessor code the event loop would run, so ids are identical either way; for a light
 * graph's fused task it also runs the model on them.
 *
 * Preprocessors and sessions are loaded from the model folder on first use and kept per
 * folder and version. A released version is announced on FORGET_CHANNEL, and its session is
 * released then; the caches are bounded too, and an evicted session is released.
 */
const preprocessors = new LRUCache<string, Preprocessor>({ max: 16 });
/** A session and the tasks using it: one dropped from the cache mid-run is released after. */
interface CachedGraph {
  readonly graph: Promise<OnnxGraph>;
  users: number;
  dropped: boolean;
}

function releaseIfUnused(entry: CachedGraph): void {
  if (!entry.dropped || entry.users > 0) return;
  void entry.graph.then((open) => open.release()).catch(() => undefined);
}

const graphs = new LRUCache<string, CachedGraph>({
  max: 8,
  dispose: (entry) => {
    entry.dropped = true;
    releaseIfUnused(entry);
  },
});

// Messages are read whenever this thread's event loop turns (while a task awaits its run).
const forgets = new BroadcastChannel(FORGET_CHANNEL);
forgets.unref();
forgets.onmessage = (event) => {
  const { dir, version } = (event as { data: ForgetMessage }).data;
  const prefix = `${dir}\u0000${version}\u0000`;
  for (const key of [...preprocessors.keys()])
    if (key.startsWith(prefix)) preprocessors.delete(key);
  for (const key of [...graphs.keys()]) if (key.startsWith(prefix)) graphs.delete(key);
};

function preprocessorFor(task: EncodeTask): Preprocessor {
  const key = `${task.dir}\u0000${task.version}\u0000${task.maxLength}`;
  let preprocessor = preprocessors.get(key);
  if (preprocessor === undefined) {
    preprocessor = createPreprocessor(task.dir, readModelConfig(task.dir), task.maxLength);
    preprocessors.set(key, preprocessor);
  }
  return preprocessor;
}

function graphFor(task: EncodeTask, run: RunSpec): CachedGraph {
  const key = `${task.dir}\u0000${task.version}\u0000${run.graphPath}`;
  let entry = graphs.get(key);
  if (entry === undefined) {
    const graph = OnnxGraph.open(task.dir, run.graphPath, run.session);
    const created: CachedGraph = { graph, users: 0, dropped: false };
    // A graph that failed to open is not kept: the next task tries again.
    graph.catch(() => graphs.get(key) === created && graphs.delete(key));
    graphs.set(key, created);
    entry = created;
  }
  return entry;
}

export default function work(task: EncodeTask): Promise<EncodedBatch | ClassifiedBatch> {
  return task.run === undefined ? encodeTexts(task) : classifyTexts(task, task.run);
}

async function encodeTexts(task: EncodeTask): Promise<EncodedBatch> {
  const preprocessor = preprocessorFor(task);
  const count = task.inputs.length;
  const encoded = await encodeInline(preprocessor, task.inputs);
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

/** Encodes, then runs the texts in groups of similar length, as the batcher would. */
async function classifyTexts(task: EncodeTask, run: RunSpec): Promise<ClassifiedBatch> {
  const started = performance.now();
  const encoded = await encodeInline(preprocessorFor(task), task.inputs);
  const encodeMs = performance.now() - started;
  const entry = graphFor(task, run);
  entry.users++;
  try {
    return await runGroups(await entry.graph, encoded, run, encodeMs);
  } finally {
    entry.users--;
    releaseIfUnused(entry);
  }
}

async function runGroups(
  graph: OnnxGraph,
  encoded: readonly EncodedText[],
  run: RunSpec,
  encodeMs: number,
): Promise<ClassifiedBatch> {
  const count = encoded.length;
  const truncated = Uint8Array.from(encoded, (item) => (item.truncated ? 1 : 0));
  let logits = new Float32Array(0);
  let width = 0;
  let paddedTokens = 0;
  const groups = groupBySimilarLength(
    encoded.map((_, index) => index),
    (index) => encoded[index].ids.length,
    run.maxPaddingFraction,
  );
  for (const group of groups) {
    const rows = group.map((index) => encoded[index].ids);
    const out = await graph.run(
      packRows(
        rows,
        group.map((index) => encoded[index].typeStart),
      ),
      run.padId,
    );
    if (width === 0) {
      width = out.width;
      logits = new Float32Array(count * width);
    }
    group.forEach((index, row) => {
      logits.set(out.data.subarray(row * width, (row + 1) * width), index * width);
    });
    paddedTokens += rows.reduce((longest, row) => Math.max(longest, row.length), 0) * rows.length;
  }
  return { logits, width, truncated, paddedTokens, encodeMs };
}
