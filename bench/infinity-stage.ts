import type { InfinityComparison, InfinityRow, ScenarioResult, Workload } from './bench-result';
import { ensureModel } from './servers';
import { measureSiftAndNaiveByLength } from './sift-vs-naive';
import type { StageContext } from './stage-context';
import { cyclingBodies } from './text-sets';

export const DISTILBERT_MODEL = 'bert-bench-distilbert';
const TEXTS_PER_LENGTH = 1000;

/**
 * Hugging Face's published Infinity numbers: DistilBERT sequence classification, batch 1,
 * 2 Ice Lake vCPUs (AWS c6i.large). Different hardware and model weights: indicative only.
 */
const PUBLISHED = [
  { tokens: 8, infinityRps: 248, plainTransformersRps: 49 },
  { tokens: 128, infinityRps: 55, plainTransformersRps: 18 },
] as const;

export const INFINITY_NOTE =
  'Hugging Face Infinity, DistilBERT sequence classification, batch 1, 2 Ice Lake cores ' +
  '(AWS c6i), vs plain transformers; different hardware and weights — indicative only';

const workloadOf = (tokens: number): Workload => (tokens === 8 ? 'tokens-8' : 'tokens-128');

/**
 * The DistilBERT-shaped model (6 layers, hidden 768) at c=1 with texts of exactly 8 and 128
 * tokens, Sift and the naive peer, printed beside the published Infinity numbers. Sift runs
 * with CACHE_ENABLED=false here, like Infinity's benchmark: every request runs the model.
 */
export async function runInfinityStage(
  context: StageContext,
): Promise<{ scenarios: ScenarioResult[]; comparison: InfinityComparison }> {
  ensureModel(DISTILBERT_MODEL, (message) => context.progress.note(message));
  const scenarios = await measureSiftAndNaiveByLength(context, {
    model: DISTILBERT_MODEL,
    lengths: PUBLISHED.map(({ tokens }) => tokens),
    workloadOf,
    textsPerLength: TEXTS_PER_LENGTH,
    concurrency: 1,
    bodies: cyclingBodies,
    warmFrom: context.texts.distinct,
    warmTokens: 128,
  });

  const rows = PUBLISHED.map(({ tokens, infinityRps, plainTransformersRps }): InfinityRow => {
    const workload = workloadOf(tokens);
    const ours = scenarios.find((row) => row.target === 'sift' && row.workload === workload);
    const peer = scenarios.find((row) => row.target === 'naive-peer' && row.workload === workload);
    return {
      tokens,
      infinityRps,
      plainTransformersRps,
      siftRps: ours?.requestsPerSecond ?? null,
      siftP50Ms: ours?.latencyMs.p50 ?? null,
      naivePeerRps: peer?.requestsPerSecond ?? null,
    };
  });
  return { scenarios, comparison: { model: DISTILBERT_MODEL, note: INFINITY_NOTE, rows } };
}
