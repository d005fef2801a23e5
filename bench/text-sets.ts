import { loadSpamSplit } from '../tools/spam/corpus';
import type { BenchTokenizer } from './bench-tokenizer';
import type { BodySource } from './load-generator';

/** Sift's default content filter answers 422 to these; such texts are left out of the load. */
const FILTERED_BY_SERVER = /<script|javascript:|data:/i;
/** A small set, repeated, so that after one pass every request is a cache hit. */
const HOT_SET_SIZE = 16;

export interface BenchTexts {
  /**
   * Held-out SpamAssassin messages (never seen in training), in a length-balanced order.
   * Every measured scenario of every target starts at the first one, so all see the same mix.
   */
  readonly distinct: readonly string[];
  /** The repeated set of the cache-hit scenarios. */
  readonly hot: readonly string[];
  /** Training messages: warm-ups use these, so they never pre-load the measured texts. */
  readonly warmup: readonly string[];
}

const usable = (text: string): boolean => text.trim().length > 0 && !FILTERED_BY_SERVER.test(text);

/** Reverses the low `bits` bits of `value` (the van der Corput sequence in base 2). */
function reverseBits(value: number, bits: number): number {
  let reversed = 0;
  for (let bit = 0; bit < bits; bit++) reversed = (reversed << 1) | ((value >> bit) & 1);
  return reversed;
}

/**
 * Orders texts so that every prefix has the same length mix as the whole list. Scenarios are
 * time-bounded, so a fast target gets further down the list than a slow one; in corpus order
 * the texts it reaches could be shorter or longer on average, and texts/s would compare
 * different work. Sorted by length, then visited in bit-reversed index order, any prefix of n
 * texts samples the length quantiles evenly.
 */
export function lengthBalancedOrder(texts: readonly string[]): string[] {
  const sorted = [...texts].sort((a, b) => a.length - b.length);
  const bits = Math.max(1, Math.ceil(Math.log2(sorted.length)));
  const ordered: string[] = [];
  for (let index = 0; index < 1 << bits; index++) {
    const position = reverseBits(index, bits);
    if (position < sorted.length) ordered.push(sorted[position]);
  }
  return ordered;
}

export function loadBenchTexts(): BenchTexts {
  const split = loadSpamSplit();
  const texts = lengthBalancedOrder(split.heldOut.map((item) => item.text).filter(usable));
  if (texts.length < HOT_SET_SIZE * 4) {
    throw new Error(
      `only ${texts.length} held-out texts: the SpamAssassin corpus looks incomplete`,
    );
  }
  return {
    distinct: texts,
    hot: texts.slice(0, HOT_SET_SIZE),
    warmup: split.train.map((item) => item.text).filter(usable),
  };
}

function body(encodedText: string, model: string | undefined): string {
  return model === undefined
    ? `{"text":${encodedText}}`
    : `{"text":${encodedText},"model":${JSON.stringify(model)}}`;
}

/**
 * Every call returns a body no earlier call returned: the first pass sends the messages as
 * they are, later passes append a pass number, so the prediction cache never hits however
 * many requests a scenario makes.
 */
export function distinctBodies(texts: readonly string[], model: string | undefined): BodySource {
  const encoded = texts.map((text) => JSON.stringify(text));
  let next = 0;
  return () => {
    const index = next % texts.length;
    const pass = Math.floor(next / texts.length);
    next++;
    return body(pass === 0 ? encoded[index] : JSON.stringify(`${texts[index]} (${pass})`), model);
  };
}

/** Cycles through a fixed list of texts (the cache-hit workload, the exact-length texts). */
export function cyclingBodies(texts: readonly string[], model: string | undefined): BodySource {
  const bodies = texts.map((text) => body(JSON.stringify(text), model));
  let next = 0;
  return () => bodies[next++ % bodies.length];
}

/**
 * Distinct texts that tokenize to exactly `totalTokens` ids including the special tokens,
 * cut from the held-out messages word by word. The pre-tokenizer splits on whitespace, so a
 * text's length is the sum of its words' lengths; every result is re-checked as a whole.
 */
export function exactLengthTexts(
  source: readonly string[],
  tokenizer: BenchTokenizer,
  totalTokens: number,
  wanted: number,
): string[] {
  const budget = totalTokens - tokenizer.specialCount;
  if (budget < 1) throw new Error(`${totalTokens} tokens leave no room for content`);
  const words = source
    .join(' ')
    .split(/\s+/)
    .filter((word) => /^[A-Za-z][A-Za-z,.'-]{0,15}$/.test(word));
  const wordLengths = new Map<string, number>();
  const lengthOf = (word: string): number => {
    let length = wordLengths.get(word);
    if (length === undefined) {
      length = tokenizer.contentLength(word);
      wordLengths.set(word, length);
    }
    return length;
  };

  const found = new Set<string>();
  // Each start position yields at most one text; bounded by the number of words.
  for (let start = 0; start < words.length && found.size < wanted; start += 3) {
    const picked: string[] = [];
    let used = 0;
    const end = Math.min(words.length, start + budget * 4);
    for (let index = start; index < end && used < budget; index++) {
      const length = lengthOf(words[index]);
      if (used + length > budget) continue;
      picked.push(words[index]);
      used += length;
    }
    const text = picked.join(' ');
    if (used === budget && !found.has(text) && tokenizer.contentLength(text) === budget) {
      found.add(text);
    }
  }
  if (found.size === 0) throw new Error(`could not build any ${totalTokens}-token text`);
  return [...found];
}
