import { BertNormalizer, BertPreTokenizer } from '@huggingface/tokenizers';

/** Options for {@link trainWordPiece}. */
export interface WordPieceTrainingOptions {
  /** Final vocabulary size, special tokens included. */
  readonly vocabSize: number;
  /** Tokens placed first, in this order (their ids are 0..n-1). */
  readonly specialTokens: readonly string[];
  /** Merges seen fewer times than this are not worth a vocabulary entry. */
  readonly minFrequency: number;
  /** At most this many distinct characters (most frequent first) form the alphabet. */
  readonly limitAlphabet: number;
  /** Continuation prefix; `'##'` for BERT. */
  readonly continuingSubwordPrefix?: string;
  /** Longer words are left out of training (WordPiece maps them to the unknown token anyway). */
  readonly maxWordChars?: number;
}

/** Lower-cases, strips accents and splits on whitespace and punctuation exactly as BERT's tokenizer.json does. */
export function createBertWordSplitter(): (text: string) => string[] {
  const normalizer = new BertNormalizer({
    type: 'BertNormalizer',
    clean_text: true,
    handle_chinese_chars: true,
    lowercase: true,
  });
  const preTokenizer = new BertPreTokenizer();
  return (text) => preTokenizer.pre_tokenize_text(normalizer.normalize(text));
}

/** Counts pre-tokenized words over texts; the map is in first-seen order. */
export function countWords(
  texts: Iterable<string>,
  split: (text: string) => string[],
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const word of split(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

/**
 * Learns a WordPiece vocabulary the way Hugging Face's `WordPieceTrainer` does: start from the
 * characters (word-initial and `##`-continuation forms) and repeatedly add the most frequent
 * adjacent pair as a new piece. Ties break on symbol ids, so the result is deterministic.
 *
 * @returns the vocabulary in id order.
 */
export function trainWordPiece(
  wordCounts: ReadonlyMap<string, number>,
  options: WordPieceTrainingOptions,
): string[] {
  const prefix = options.continuingSubwordPrefix ?? '##';
  const maxWordChars = options.maxWordChars ?? 100;
  const alphabet = chooseAlphabet(wordCounts, options.limitAlphabet, maxWordChars);
  const symbols = new SymbolTable();
  const vocab: string[] = [...options.specialTokens];
  const inVocab = new Set(vocab);
  const addToVocab = (piece: string): void => {
    if (!inVocab.has(piece)) {
      inVocab.add(piece);
      vocab.push(piece);
    }
  };

  const words: number[][] = [];
  const counts: number[] = [];
  const continuation = new Set<string>();
  for (const [word, count] of wordCounts) {
    const chars = [...word];
    if (chars.length > maxWordChars || chars.some((c) => !alphabet.has(c))) continue;
    chars.slice(1).forEach((c) => continuation.add(c));
    words.push(chars.map((c, i) => symbols.id(i === 0 ? c : prefix + c)));
    counts.push(count);
  }
  const sortedAlphabet = [...alphabet].sort();
  sortedAlphabet.forEach(addToVocab);
  sortedAlphabet.filter((c) => continuation.has(c)).forEach((c) => addToVocab(prefix + c));

  const merger = new PairMerger(words, counts);
  while (vocab.length < options.vocabSize) {
    const best = merger.best();
    if (best === undefined || best.count < options.minFrequency) break;
    const left = symbols.name(best.left);
    const right = symbols.name(best.right);
    const merged = symbols.id(
      left + (right.startsWith(prefix) ? right.slice(prefix.length) : right),
    );
    merger.merge(best.left, best.right, merged);
    addToVocab(symbols.name(merged));
  }
  return vocab;
}

function chooseAlphabet(
  wordCounts: ReadonlyMap<string, number>,
  limit: number,
  maxWordChars: number,
): Set<string> {
  const charCounts = new Map<string, number>();
  for (const [word, count] of wordCounts) {
    const chars = [...word];
    if (chars.length > maxWordChars) continue;
    for (const c of chars) charCounts.set(c, (charCounts.get(c) ?? 0) + count);
  }
  const ranked = [...charCounts].sort(
    (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0),
  );
  return new Set(ranked.slice(0, limit).map(([c]) => c));
}

class SymbolTable {
  private readonly names: string[] = [];
  private readonly ids = new Map<string, number>();

  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
    return id;
  }

  name(id: number): string {
    return this.names[id];
  }
}

/** Symbol ids stay below 2^21, so a pair packs exactly into one double. */
const PAIR_SHIFT = 2 ** 21;

interface PairCandidate {
  readonly left: number;
  readonly right: number;
  readonly count: number;
}

/**
 * Pair counts kept up to date incrementally: a merge only revisits the words that contain the
 * pair. A lazy max-heap finds the best pair; entries whose count went stale are skipped on pop.
 */
class PairMerger {
  private readonly pairCounts = new Map<number, number>();
  private readonly pairWords = new Map<number, Set<number>>();
  private readonly heap: [count: number, key: number][] = [];

  constructor(
    private readonly words: number[][],
    private readonly counts: readonly number[],
  ) {
    words.forEach((word, w) => this.addPairs(word, w, counts[w], undefined));
    for (const [key, count] of this.pairCounts) this.push(count, key);
  }

  best(): PairCandidate | undefined {
    while (this.heap.length > 0) {
      const [count, key] = this.heap[0];
      if (this.pairCounts.get(key) === count) {
        return { left: Math.floor(key / PAIR_SHIFT), right: key % PAIR_SHIFT, count };
      }
      this.pop();
    }
    return undefined;
  }

  merge(left: number, right: number, merged: number): void {
    const key = left * PAIR_SHIFT + right;
    const changed = new Set<number>();
    for (const w of this.pairWords.get(key) ?? []) {
      const word = this.words[w];
      const count = this.counts[w];
      if (!containsPair(word, left, right)) continue;
      this.addPairs(word, w, -count, changed);
      const next: number[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i + 1 < word.length && word[i] === left && word[i + 1] === right) {
          next.push(merged);
          i++;
        } else {
          next.push(word[i]);
        }
      }
      this.words[w] = next;
      this.addPairs(next, w, count, changed);
    }
    this.pairWords.delete(key);
    for (const k of changed) {
      const count = this.pairCounts.get(k) ?? 0;
      if (count > 0) this.push(count, k);
    }
  }

  private addPairs(
    word: readonly number[],
    w: number,
    delta: number,
    changed: Set<number> | undefined,
  ): void {
    for (let i = 0; i + 1 < word.length; i++) {
      const key = word[i] * PAIR_SHIFT + word[i + 1];
      const count = (this.pairCounts.get(key) ?? 0) + delta;
      if (count > 0) this.pairCounts.set(key, count);
      else this.pairCounts.delete(key);
      changed?.add(key);
      if (delta > 0) {
        let set = this.pairWords.get(key);
        if (!set) this.pairWords.set(key, (set = new Set()));
        set.add(w);
      }
    }
  }

  /** Higher count first; on ties the smaller key, for a deterministic order. */
  private before(a: readonly [number, number], b: readonly [number, number]): boolean {
    return a[0] > b[0] || (a[0] === b[0] && a[1] < b[1]);
  }

  private push(count: number, key: number): void {
    const heap = this.heap;
    heap.push([count, key]);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let top = i;
      if (l < heap.length && this.before(heap[l], heap[top])) top = l;
      if (r < heap.length && this.before(heap[r], heap[top])) top = r;
      if (top === i) break;
      [heap[i], heap[top]] = [heap[top], heap[i]];
      i = top;
    }
  }
}

function containsPair(word: readonly number[], left: number, right: number): boolean {
  for (let i = 0; i + 1 < word.length; i++)
    if (word[i] === left && word[i + 1] === right) return true;
  return false;
}
