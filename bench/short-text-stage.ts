import type { ScenarioResult } from './bench-result';
import { BenchTokenizer } from './bench-tokenizer';
import { startNaivePeer } from './reference-stages';
import { measureScenario } from './scenario';
import { modelDir, startSift, type RunningServer } from './servers';
import { warmUp, type StageContext } from './stage-context';
import { distinctBodies, exactLengthTexts } from './text-sets';
import { TARGET_MODEL } from './targets';

/** Lengths of the short-text comparison, in tokens including [CLS] and [SEP]. */
export const SHORT_TEXT_LENGTHS = [16, 128] as const;
export const SHORT_TEXT_CONCURRENCY = 64;
const TEXTS_PER_LENGTH = 4000;

/**
 * The throughput comparison of the targets, on texts shorter than the spam messages: bert-bench
 * at c=64 with distinct texts of exactly 16 and 128 tokens, Sift (cache off) then the naive
 * peer at each length. Short texts are where batching pays on a CPU; ~300-token texts run
 * fastest one at a time, which the naive peer already does.
 */
export async function runShortTextStage(context: StageContext): Promise<ScenarioResult[]> {
  const { progress, children, options } = context;
  const tokenizer = BenchTokenizer.load(modelDir(TARGET_MODEL));
  const textsByLength = new Map(
    SHORT_TEXT_LENGTHS.map((tokens) => [
      tokens,
      exactLengthTexts(context.texts.distinct, tokenizer, tokens, TEXTS_PER_LENGTH),
    ]),
  );
  const warmTexts = exactLengthTexts(context.texts.warmup, tokenizer, 16, 500);
  const scenarios: ScenarioResult[] = [];

  progress.note(`starting sift (CACHE_ENABLED=false) and the naive peer on short texts`);
  const sift = await startSift(children, TARGET_MODEL, false);
  let naive: RunningServer | undefined;
  try {
    naive = await startNaivePeer(children, TARGET_MODEL);
    await warmUp(context, sift, `${TARGET_MODEL} · sift`, distinctBodies(warmTexts, TARGET_MODEL));
    await warmUp(
      context,
      naive,
      `${TARGET_MODEL} · naive-peer`,
      distinctBodies(warmTexts, undefined),
    );
    for (const tokens of SHORT_TEXT_LENGTHS) {
      const texts = textsByLength.get(tokens) ?? [];
      for (const [server, target] of [
        [sift, 'sift'],
        [naive, 'naive-peer'],
      ] as const) {
        scenarios.push(
          await measureScenario(
            server,
            {
              target,
              model: TARGET_MODEL,
              workload: tokens === 16 ? 'tokens-16' : 'tokens-128',
              concurrency: SHORT_TEXT_CONCURRENCY,
              durationS: options.durationS,
              nextBody: distinctBodies(texts, target === 'sift' ? TARGET_MODEL : undefined),
              scrape: target === 'sift',
            },
            progress,
          ),
        );
      }
    }
  } finally {
    await children.stop(sift.child);
    if (naive !== undefined) await children.stop(naive.child);
  }
  return scenarios;
}
