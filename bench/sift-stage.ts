import type { ScenarioResult, SoakResult } from './bench-result';
import { runLoad, type BodySource } from './load-generator';
import { ProcessWatch } from './process-stats';
import { measureScenario } from './scenario';
import { startSift, type RunningServer } from './servers';
import { warmUp, type StageContext } from './stage-context';
import { cyclingBodies, distinctBodies } from './text-sets';

const SOAK_CONCURRENCY = 64;
const SOAK_WINDOW_S = 5;

/** Sends each hot text once so that the measured `hits` scenarios are all cache hits. */
async function primeHotSet(
  server: RunningServer,
  texts: readonly string[],
  model: string,
): Promise<void> {
  const nextBody = cyclingBodies(texts, model);
  for (let i = 0; i < texts.length; i++) {
    const response = await fetch(`${server.baseUrl}/classify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: nextBody(),
      signal: AbortSignal.timeout(30_000),
    });
    const answer = await response.text();
    if (response.status !== 200) {
      throw new Error(`priming the cache: HTTP ${response.status} ${answer.slice(0, 300)}`);
    }
  }
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * Holds c=64 for `--soak` seconds with distinct texts and samples RSS every second. Growth
 * is measured from just after the warm-up part (the cache fills to its item limit and the
 * allocator arenas grow there) to the end.
 */
async function soak(
  context: StageContext,
  server: RunningServer,
  model: string,
  nextBody: BodySource,
): Promise<SoakResult> {
  const durationS = context.options.soakS;
  const warmupS = Math.min(durationS / 2, Math.max(30, durationS * 0.1));
  context.progress.begin(`${model} · sift · soak · c=${SOAK_CONCURRENCY}`, durationS);
  const watch = new ProcessWatch(server.child.pid, 1000);
  const load = await runLoad({
    url: `${server.baseUrl}/classify`,
    connections: SOAK_CONCURRENCY,
    durationS,
    nextBody,
    onTick: (elapsed) => context.progress.tick(elapsed, durationS),
  });
  const usage = watch.finish();
  const series = watch.samples;
  const afterWarmupIndex = Math.min(series.length - 1, Math.floor(warmupS));
  const rssAfterWarmupMiB = mean(series.slice(afterWarmupIndex, afterWarmupIndex + SOAK_WINDOW_S));
  const rssAtEndMiB = mean(series.slice(-SOAK_WINDOW_S));
  return {
    model,
    durationS: load.durationS,
    concurrency: SOAK_CONCURRENCY,
    warmupS,
    rssAfterWarmupMiB,
    rssAtEndMiB,
    peakRssMiB: usage.peakRssMiB ?? 0,
    rssGrowthPercent: rssAfterWarmupMiB > 0 ? (rssAtEndMiB / rssAfterWarmupMiB - 1) * 100 : 0,
    errors: load.errors,
    requestsPerSecond: load.requestsPerSecond,
    rssSeriesMiB: series.map((value) => Math.round(value * 10) / 10),
  };
}

/** Sift on one model: distinct texts (cache misses), then the hot set (cache hits), then the soak. */
export async function runSiftStage(
  context: StageContext,
  model: string,
  withSoak: boolean,
): Promise<{ scenarios: ScenarioResult[]; soak: SoakResult | null }> {
  const { options, progress, texts } = context;
  progress.note(`starting sift (node dist/main.js) with MODELS=${model}`);
  const server = await startSift(context.children, model, true, options.profile);
  const scenarios: ScenarioResult[] = [];
  let soakResult: SoakResult | null = null;
  try {
    // One source for the whole server lifetime: no text is ever sent twice, so no hits.
    const distinct = distinctBodies(texts.distinct, model);
    await warmUp(context, server, `${model} · sift`, distinct);
    await primeHotSet(server, texts.hot, model);
    for (const workload of ['distinct', 'hits'] as const) {
      const nextBody = workload === 'distinct' ? distinct : cyclingBodies(texts.hot, model);
      for (const concurrency of options.concurrency) {
        scenarios.push(
          await measureScenario(
            server,
            {
              target: 'sift',
              model,
              workload,
              concurrency,
              durationS: options.durationS,
              nextBody,
              scrape: true,
            },
            progress,
          ),
        );
      }
    }
    if (withSoak) soakResult = await soak(context, server, model, distinct);
  } finally {
    await context.children.stop(server.child);
  }
  return { scenarios, soak: soakResult };
}
