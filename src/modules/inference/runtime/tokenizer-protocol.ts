import type { TextInput } from '../inference.types';
import type { EncodedText, Preprocessor } from '../preprocessing/preprocessor.interface';
import type { OnnxSessionOptions } from './onnx-graph';

/**
 * Where the pool tells its threads that a version was released ({@link ForgetMessage}): piscina
 * cannot address every thread with a task, but each thread listens on this channel.
 */
export const FORGET_CHANNEL = 'sift-tokenizer-forget';

/** Drop what was loaded for this folder and version (its session above all). */
export interface ForgetMessage {
  readonly dir: string;
  readonly version: string;
}

/** One TokenizerPool task: texts of one model version, encoded by its preprocessor. */
export interface EncodeTask {
  /** The version's folder: the worker loads the preprocessor from there. */
  readonly dir: string;
  /** The version's content hash: a folder whose files changed gets a fresh preprocessor. */
  readonly version: string;
  readonly maxLength: number;
  readonly inputs: readonly TextInput[];
  /** Also run the model on the encoded texts (a light graph's fused task): see RunSpec. */
  readonly run?: RunSpec;
}

/** How a thread runs a light graph on the texts it encoded. */
export interface RunSpec {
  readonly graphPath: string;
  readonly padId: number;
  /** As the batcher's: texts are run in groups of similar length. */
  readonly maxPaddingFraction: number;
  readonly session: OnnxSessionOptions;
}

/** A fused task's answer: logits row i is text i's; see TextsRun. */
export interface ClassifiedBatch {
  readonly logits: Float32Array;
  readonly width: number;
  readonly truncated: Uint8Array;
  readonly paddedTokens: number;
  /** Time the thread spent encoding, for the tokenize metric. */
  readonly encodeMs: number;
}

/** The encoded texts, packed: text i's ids are ids[offsets[i] .. offsets[i + 1]). */
export interface EncodedBatch {
  readonly ids: Int32Array;
  readonly offsets: Int32Array;
  /** Where a pair's second text starts; -1 for a single text. */
  readonly typeStarts: Int32Array;
  /** 1 where the text was cut to fit. */
  readonly truncated: Uint8Array;
}

export function unpackEncoded(batch: EncodedBatch): EncodedText[] {
  const count = batch.truncated.length;
  const texts: EncodedText[] = new Array<EncodedText>(count);
  for (let index = 0; index < count; index++) {
    const typeStart = batch.typeStarts[index];
    texts[index] = {
      ids: Array.from(batch.ids.subarray(batch.offsets[index], batch.offsets[index + 1])),
      truncated: batch.truncated[index] === 1,
      typeStart: typeStart < 0 ? undefined : typeStart,
    };
  }
  return texts;
}

/** The texts (or pairs) encoded by `preprocessor`, in order: what a thread and the event loop both run. */
export function encodeInline(
  preprocessor: Preprocessor,
  inputs: readonly TextInput[],
): Promise<EncodedText[]> {
  return Promise.all(inputs.map((input) => encodeOne(preprocessor, input)));
}

/** One text or pair encoded by `preprocessor`. */
export async function encodeOne(
  preprocessor: Preprocessor,
  input: TextInput,
): Promise<EncodedText> {
  return typeof input === 'string'
    ? preprocessor.encode(input)
    : preprocessor.encode(input.text, input.pair);
}
