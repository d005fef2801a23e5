import type { InfinityComparison, InfinityRow, ScenarioResult } from './bench-result';
import { BenchTokenizer } from './bench-tokenizer';
import { measureScenario } from './scenario';
import { startNaivePeer } from './reference-stages';
import { ensureModel, modelDir, startSift, type RunningServer } from './servers';
import { warmUp, type StageContext } from './stage-context';
import { cyclingBodies, exactLengthTexts } from './text-sets';

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

/**
 * The DistilBERT-shaped model (6 layers, hidden 768) at c=1 with texts of exactly 8 and 128
 * tokens, Sift and the naive peer, printed beside the published Infinity numbers. Sift runs
 * with CACHE_ENABLED=false here, like Infinity's benchmark: every request runs the model.
 */
export async function runInfinityStage(
  context: StageContext,
): Promise<{ scenarios: ScenarioResult[]; comparison: InfinityComparison }> {
  const { progress, children } = context;
  ensureModel(DISTILBERT_MODEL, (message) => progress.note(message));
  const tokenizer = BenchTokenizer.load(modelDir(DISTILBERT_MODEL));
  const textsByLength = new Map(
    PUBLISHED.map(({ tokens }) => [
      tokens,
      exactLengthTexts(context.texts.distinct, tokenizer, tokens, TEXTS_PER_LENGTH),
    ]),
  );
  const scenarios: ScenarioResult[] = [];

  progress.note(
    `starting sift (CACHE_ENABLED=false) and the naive peer on models/${DISTILBERT_MODEL}`,
  );
  const sift = await startSift(children, DISTILBERT_MODEL, false);
  let naive: RunningServer | undefined;
  try {
    naive = await startNaivePeer(children, DISTILBERT_MODEL);
    const warmTexts = textsByLength.get(128) ?? [];
    await warmUp(
      context,
      sift,
      `${DISTILBERT_MODEL} · sift`,
      cyclingBodies(warmTexts, DISTILBERT_MODEL),
    );
    await warmUp(
      context,
      naive,
      `${DISTILBERT_MODEL} · naive-peer`,
      cyclingBodies(warmTexts, undefined),
    );
    // Sift then the naive peer at each length, so each pair is measured close together.
    for (const { tokens } of PUBLISHED) {
      const texts = textsByLength.get(tokens) ?? [];
      for (const [server, target] of [
        [sift, 'sift'],
        [naive, 'naive-peer'],
      ] as const) {
        const spec = {
          target,
          model: DISTILBERT_MODEL,
          workload: tokens === 8 ? ('tokens-8' as const) : ('tokens-128' as const),
          concurrency: 1,
          durationS: context.options.durationS,
          nextBody: cyclingBodies(texts, target === 'sift' ? DISTILBERT_MODEL : undefined),
          scrape: target === 'sift',
        };
        scenarios.push(await measureScenario(server, spec, progress));
      }
    }
  } finally {
    await children.stop(sift.child);
    if (naive !== undefined) await children.stop(naive.child);
  }

  const rows = PUBLISHED.map(({ tokens, infinityRps, plainTransformersRps }): InfinityRow => {
    const workload = tokens === 8 ? 'tokens-8' : 'tokens-128';
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
