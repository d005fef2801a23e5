import { createHash } from 'node:crypto';
import nlpCorpus from 'nlp-corpus';

import { HELD_OUT_FRACTION } from './corpus';

/** The fixed train / held-out split of the background sentences, each list in hash order. */
export interface BackgroundSplit {
  readonly train: readonly string[];
  readonly heldOut: readonly string[];
}

/** Versioned like the SpamAssassin split's salt, so a reshuffle would be deliberate. */
const SPLIT_SALT = 'sift-background-split-v1';

let cached: BackgroundSplit | undefined;

/**
 * Ordinary English sentences (SMS messages, TV dialogue, fiction, forum posts, speeches and more,
 * from the `nlp-corpus` package), used as ham-side background text: the SpamAssassin ham is
 * mailing-list mail, where greetings and thanks are evidence of spam. Whitespace is collapsed,
 * empty and duplicate sentences dropped, and the rest ordered by a salted SHA-256 of the text; the
 * first {@link HELD_OUT_FRACTION} is held out. Taking the first N of `train` is then a fixed
 * random sample. Deterministic; memoized per process.
 */
export function loadBackgroundSplit(): BackgroundSplit {
  cached ??= splitBackground(nlpCorpus.all());
  return cached;
}

function splitBackground(sentences: readonly string[]): BackgroundSplit {
  const keyed = new Map<string, string>();
  for (const raw of sentences) {
    const text = raw.replace(/\s+/g, ' ').trim();
    if (text !== '' && !keyed.has(text))
      keyed.set(text, createHash('sha256').update(`${SPLIT_SALT}:${text}`).digest('hex'));
  }
  const ordered = [...keyed.entries()]
    .sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([text]) => text);
  const cut = Math.round(ordered.length * HELD_OUT_FRACTION);
  return { heldOut: ordered.slice(0, cut), train: ordered.slice(cut) };
}
