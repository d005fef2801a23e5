import type { ScenarioResult } from './bench-result';
import { measureSiftAndNaiveByLength } from './sift-vs-naive';
import type { StageContext } from './stage-context';
import { TARGET_MODEL } from './targets';
import { distinctBodies } from './text-sets';

/** Lengths of the short-text comparison, in tokens including [CLS] and [SEP]. */
export const SHORT_TEXT_LENGTHS = [16, 128] as const;
export const SHORT_TEXT_CONCURRENCY = 64;

/**
 * The throughput comparison of the targets, on texts shorter than the spam messages: bert-bench
 * at c=64 with distinct texts of exactly 16 and 128 tokens. Short texts are where batching pays
 * on a CPU; ~300-token texts run fastest one at a time, which the naive peer already does.
 */
export function runShortTextStage(context: StageContext): Promise<ScenarioResult[]> {
  return measureSiftAndNaiveByLength(context, {
    model: TARGET_MODEL,
    lengths: SHORT_TEXT_LENGTHS,
    workloadOf: (tokens) => (tokens === 16 ? 'tokens-16' : 'tokens-128'),
    textsPerLength: 4000,
    concurrency: SHORT_TEXT_CONCURRENCY,
    bodies: distinctBodies,
    warmFrom: context.texts.warmup,
    warmTokens: 16,
  });
}
