import type { SeededRandom } from '../common/seeded-random';
import type { TokenizedText } from './spam-classifier.model';
import type { TrainingSource } from './spam-classifier.trainer';

/**
 * The sentences of a preprocessed message (`Subject`, a blank line, the body). Paragraphs are
 * split at blank lines and their wrapped lines re-joined, then cut after `.`, `!` or `?` followed by
 * a space. Plain string rules rather than `Intl.Segmenter`, whose output follows the ICU version
 * and would make builds differ between Node releases.
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  for (const paragraph of text.split(/\n[ \t]*\n/)) {
    const joined = paragraph.replace(/\s+/g, ' ').trim();
    if (joined === '') continue;
    for (const sentence of joined.split(/(?<=[.!?])\s+/))
      if (sentence !== '') sentences.push(sentence);
  }
  return sentences;
}

/** `count` consecutive sentences from a random start (all of them when there are fewer). */
export function sentenceCrop(text: string, count: number, random: SeededRandom): string {
  return window(splitSentences(text), count, random).join(' ');
}

/**
 * A random piece of a message, the kind of text people type into a classifier: the subject line,
 * one to three sentences, a few lines, or just a few words. Training on pieces with the whole
 * message's label teaches the model what a short text does and does not reveal; a few neutral
 * words come from ham and spam alike, so the model learns to be unsure of them.
 */
export function randomCrop(text: string, random: SeededRandom): string {
  const kind = random.next();
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (kind < 0.15 && lines.length > 0) return lines[0].trim();
  if (kind < 0.6) return sentenceCrop(text, 1 + random.int(3), random);
  if (kind < 0.8) return window(lines, 1 + random.int(4), random).join('\n');
  const words = text.split(/\s+/).filter((word) => word !== '');
  return window(words, 1 + random.int(6), random).join(' ');
}

function window<T>(items: readonly T[], count: number, random: SeededRandom): T[] {
  if (items.length <= count) return [...items];
  const start = random.int(items.length - count + 1);
  return items.slice(start, start + count);
}

/** A labelled message, as the crop source needs it. */
export interface CroppableText {
  readonly text: string;
  readonly label: number;
}

/**
 * Every message whole, then `cropsPerMessage` rounds of one fresh {@link randomCrop} of each
 * message, with the message's label. Whole messages are encoded once; crops are drawn and encoded
 * as the trainer asks for them, so each epoch sees new ones.
 */
export function cropAugmentedSource(
  messages: readonly CroppableText[],
  encode: (text: string) => TokenizedText,
  cropsPerMessage: number,
): TrainingSource {
  const whole = messages.map((m) => ({ ...encode(m.text), label: m.label }));
  return {
    size: whole.length * (1 + cropsPerMessage),
    example: (index, random) => {
      if (index < whole.length) return whole[index];
      const message = messages[index % messages.length];
      return { ...encode(randomCrop(message.text, random)), label: message.label };
    },
  };
}
