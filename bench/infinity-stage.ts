import type { InfinityComparison, InfinityRow, ScenarioResult, Workload } from './bench-result';
import { BenchTokenizer } from './bench-tokenizer';
import { ensureQuantized } from './quantized-stage';
import { measureScenario } from './scenario';
import { ensureModel, modelDir, startSift } from './servers';
import { measureSiftAndNaiveByLength } from './sift-vs-naive';
import { warmUp, type StageContext } from './stage-context';
import { cyclingBodies, exactLengthTexts } from './text-sets';

export const DISTILBERT_MODEL = 'bert-bench-distilbert';
const TEXTS_PER_LENGTH = 1000;
/** The quantization issue compares Sift's int8 graph with Infinity at 8 connections. */
const Q8_CONCURRENCY = 8;

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

  scenarios.push(...(await measureQ8(context)));
  const q8Model = `${DISTILBERT_MODEL}@q8`;

  const rows = PUBLISHED.map(({ tokens, infinityRps, plainTransformersRps }): InfinityRow => {
    const workload = workloadOf(tokens);
    const ours = scenarios.find(
      (row) => row.target === 'sift' && row.workload === workload && row.model === DISTILBERT_MODEL,
    );
    const q8 = scenarios.find((row) => row.model === q8Model && row.workload === workload);
    const peer = scenarios.find((row) => row.target === 'naive-peer' && row.workload === workload);
    return {
      tokens,
      infinityRps,
      plainTransformersRps,
      siftRps: ours?.requestsPerSecond ?? null,
      siftP50Ms: ours?.latencyMs.p50 ?? null,
      naivePeerRps: peer?.requestsPerSecond ?? null,
      siftQ8Rps: q8?.requestsPerSecond ?? null,
    };
  });
  return { scenarios, comparison: { model: DISTILBERT_MODEL, note: INFINITY_NOTE, rows } };
}

/** Sift serving the quantized DistilBERT graph, cache off, at each published length, c=8. */
async function measureQ8(context: StageContext): Promise<ScenarioResult[]> {
  const { progress, children, options } = context;
  const dir = modelDir(DISTILBERT_MODEL);
  ensureQuantized(dir, (message) => progress.note(message));
  const model = `${DISTILBERT_MODEL}@q8`;
  const tokenizer = BenchTokenizer.load(dir);
  progress.note(`starting sift (CACHE_ENABLED=false) with ${model}`);
  const sift = await startSift(children, model, false);
  const scenarios: ScenarioResult[] = [];
  try {
    await warmUp(context, sift, `${model} · sift`, cyclingBodies(context.texts.warmup, model));
    for (const { tokens } of PUBLISHED) {
      const texts = exactLengthTexts(context.texts.distinct, tokenizer, tokens, TEXTS_PER_LENGTH);
      scenarios.push(
        await measureScenario(
          sift,
          {
            target: 'sift',
            model,
            workload: workloadOf(tokens),
            concurrency: Q8_CONCURRENCY,
            durationS: options.durationS,
            nextBody: cyclingBodies(texts, model),
            scrape: true,
          },
          progress,
        ),
      );
    }
  } finally {
    await children.stop(sift.child);
  }
  return scenarios;
}
