import type { TokenizedText } from './spam-classifier.model';
import type { TrainingSource } from './spam-classifier.trainer';

/** Class index of `ham` (see `SPAM_LABELS`); background text is never spam. */
const HAM = 0;

/**
 * `source`'s examples, then each background sentence as a ham example whose loss counts `weight`
 * times a corpus example's. Sentences are encoded once: they are already as short as the texts
 * they stand for, so they need no fresh crops per epoch.
 */
export function withBackgroundHam(
  source: TrainingSource,
  sentences: readonly string[],
  encode: (text: string) => TokenizedText,
  weight: number,
): TrainingSource {
  const background = sentences.map((text) => ({ ...encode(text), label: HAM, weight }));
  return {
    size: source.size + background.length,
    example: (index, random) =>
      index < source.size ? source.example(index, random) : background[index - source.size],
  };
}
