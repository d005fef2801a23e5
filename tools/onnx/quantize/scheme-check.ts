import { InferenceSession, Tensor } from 'onnxruntime-node';

import type { Preprocessor } from '../../../src/modules/inference/preprocessing/preprocessor.interface';
import { compareProbabilities, type Fidelity, softmax } from './fidelity';
import type { WeightFormat } from './int8-weights';
import { quantizeModel } from './quantize-model';

/** One way to quantize a graph: the weight format and the scale granularity. */
export interface QuantizeScheme {
  readonly weightFormat: WeightFormat;
  readonly perChannel: boolean;
}

/** Every scheme `quantize:check` compares; the first is the quantizer's default. */
export const SCHEMES: readonly QuantizeScheme[] = (['int7', 'int8', 'uint8'] as const).flatMap(
  (weightFormat) => [false, true].map((perChannel) => ({ weightFormat, perChannel })),
);

export function schemeName({ weightFormat, perChannel }: QuantizeScheme): string {
  return `${weightFormat} ${perChannel ? 'per-channel' : 'per-tensor'}`;
}

/** A graph's answers to a list of texts, and what they cost. */
export interface GraphRun {
  readonly probabilities: number[][];
  /** Mean time of one `session.run` on one text, in milliseconds. */
  readonly msPerText: number;
  readonly bytes: number;
}

/** One scheme's figures beside the float graph's. */
export interface SchemeResult {
  readonly scheme: QuantizeScheme;
  readonly fidelity: Fidelity;
  readonly run: GraphRun;
}

/**
 * Runs each text alone (batch 1: DynamicQuantizeLinear's scale spans the whole batch, so a text
 * must not share it) through a graph and times the runs alone, not the encoding.
 */
export async function runGraph(
  graph: Uint8Array,
  encoded: readonly (readonly number[])[],
  threads: number,
): Promise<GraphRun> {
  const session = await InferenceSession.create(graph, {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
  const probabilities: number[][] = [];
  let elapsed = 0;
  for (const ids of encoded) {
    const feeds = feedsFor(session.inputNames, ids);
    const started = performance.now();
    const out = await session.run(feeds);
    elapsed += performance.now() - started;
    probabilities.push(softmax(out[session.outputNames[0]].data as Float32Array));
  }
  await session.release();
  return { probabilities, msPerText: elapsed / encoded.length, bytes: graph.length };
}

function feedsFor(inputNames: readonly string[], ids: readonly number[]): Record<string, Tensor> {
  const dims = [1, ids.length];
  const values: Record<string, BigInt64Array> = {
    input_ids: BigInt64Array.from(ids, BigInt),
    attention_mask: new BigInt64Array(ids.length).fill(1n),
    token_type_ids: new BigInt64Array(ids.length),
  };
  const feeds: Record<string, Tensor> = {};
  for (const name of inputNames) {
    const data = values[name];
    if (data === undefined) throw new Error(`graph input ${name} is not one Sift feeds`);
    feeds[name] = new Tensor('int64', data, dims);
  }
  return feeds;
}

/** Encodes texts as Sift would serve them (the model's own preprocessor). */
export async function encodeTexts(
  preprocessor: Preprocessor,
  texts: readonly string[],
): Promise<number[][]> {
  return Promise.all(texts.map(async (text) => [...(await preprocessor.encode(text)).ids]));
}

/** The float graph's run, then each scheme's, compared text by text. */
export async function checkSchemes(
  float: Uint8Array,
  encoded: readonly (readonly number[])[],
  threads: number,
  schemes: readonly QuantizeScheme[] = SCHEMES,
): Promise<{ reference: GraphRun; results: SchemeResult[] }> {
  const reference = await runGraph(float, encoded, threads);
  const results: SchemeResult[] = [];
  for (const scheme of schemes) {
    const { bytes } = quantizeModel(float, scheme);
    const run = await runGraph(bytes, encoded, threads);
    results.push({
      scheme,
      run,
      fidelity: compareProbabilities(reference.probabilities, run.probabilities),
    });
  }
  return { reference, results };
}
