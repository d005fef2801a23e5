import type { ScenarioResult, Workload } from './bench-result';
import { BenchTokenizer } from './bench-tokenizer';
import type { BodySource } from './load-generator';
import { startNaivePeer } from './reference-stages';
import { measureScenario } from './scenario';
import { modelDir, startSift, type RunningServer } from './servers';
import { warmUp, type StageContext } from './stage-context';
import { exactLengthTexts } from './text-sets';

const WARMUP_TEXTS = 500;

export interface LengthPairsSpec {
  readonly model: string;
  /** Text lengths in tokens, [CLS] and [SEP] included; one workload each. */
  readonly lengths: readonly number[];
  readonly workloadOf: (tokens: number) => Workload;
  readonly textsPerLength: number;
  readonly concurrency: number;
  /** Bodies from texts; `model` is undefined for the naive peer, which serves one model. */
  readonly bodies: (texts: readonly string[], model: string | undefined) => BodySource;
  /** Warm-up texts are cut from this list, at `warmTokens` tokens. */
  readonly warmFrom: readonly string[];
  readonly warmTokens: number;
}

/**
 * Sift (cache off) and the naive peer on texts of exact token lengths: both warmed up, then
 * Sift and the peer in turn at each length, so each pair is measured close together.
 */
export async function measureSiftAndNaiveByLength(
  context: StageContext,
  spec: LengthPairsSpec,
): Promise<ScenarioResult[]> {
  const { progress, children, options } = context;
  const tokenizer = BenchTokenizer.load(modelDir(spec.model));
  const textsByLength = new Map(
    spec.lengths.map((tokens) => [
      tokens,
      exactLengthTexts(context.texts.distinct, tokenizer, tokens, spec.textsPerLength),
    ]),
  );
  const warmTexts = exactLengthTexts(spec.warmFrom, tokenizer, spec.warmTokens, WARMUP_TEXTS);
  const scenarios: ScenarioResult[] = [];

  progress.note(`starting sift (CACHE_ENABLED=false) and the naive peer on models/${spec.model}`);
  const sift = await startSift(children, spec.model, false);
  let naive: RunningServer | undefined;
  try {
    naive = await startNaivePeer(children, spec.model);
    await warmUp(context, sift, `${spec.model} · sift`, spec.bodies(warmTexts, spec.model));
    await warmUp(context, naive, `${spec.model} · naive-peer`, spec.bodies(warmTexts, undefined));
    for (const tokens of spec.lengths) {
      const texts = textsByLength.get(tokens) ?? [];
      for (const [server, target] of [
        [sift, 'sift'],
        [naive, 'naive-peer'],
      ] as const) {
        const scenario = {
          target,
          model: spec.model,
          workload: spec.workloadOf(tokens),
          concurrency: spec.concurrency,
          durationS: options.durationS,
          nextBody: spec.bodies(texts, target === 'sift' ? spec.model : undefined),
          scrape: target === 'sift',
        };
        scenarios.push(await measureScenario(server, scenario, progress));
      }
    }
  } finally {
    await children.stop(sift.child);
    if (naive !== undefined) await children.stop(naive.child);
  }
  return scenarios;
}
