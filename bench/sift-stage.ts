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

/**
 * Sift on one model, two server runs. Distinct texts run with CACHE_ENABLED=false, so each
 * scenario can start at the first held-out message like every other target and still never
 * hit; the hot set then runs on a server with the cache on (all hits after priming), and the
 * soak too (distinct bodies over a full cache: its item limit must hold RSS).
 */
export async function runSiftStage(
  context: StageContext,
  model: string,
  withSoak: boolean,
): Promise<{ scenarios: ScenarioResult[]; soak: SoakResult | null }> {
  const { options, progress, texts } = context;
  const scenarios: ScenarioResult[] = [];
  const scenario = (workload: 'distinct' | 'hits', concurrency: number, nextBody: BodySource) => ({
    target: 'sift' as const,
    model,
    workload,
    concurrency,
    durationS: options.durationS,
    nextBody,
    scrape: true,
  });

  progress.note(`starting sift (node dist/main.js) with MODELS=${model} CACHE_ENABLED=false`);
  const uncached = await startSift(context.children, model, false, options.profile);
  try {
    await warmUp(context, uncached, `${model} · sift`, cyclingBodies(texts.warmup, model));
    for (const concurrency of options.concurrency) {
      const nextBody = cyclingBodies(texts.distinct, model);
      scenarios.push(
        await measureScenario(uncached, scenario('distinct', concurrency, nextBody), progress),
      );
    }
  } finally {
    await context.children.stop(uncached.child);
  }

  progress.note(`starting sift with MODELS=${model} CACHE_ENABLED=true`);
  const cached = await startSift(context.children, model, true, options.profile);
  let soakResult: SoakResult | null = null;
  try {
    await warmUp(context, cached, `${model} · sift (cache)`, distinctBodies(texts.warmup, model));
    await primeHotSet(cached, texts.hot, model);
    for (const concurrency of options.concurrency) {
      const nextBody = cyclingBodies(texts.hot, model);
      scenarios.push(
        await measureScenario(cached, scenario('hits', concurrency, nextBody), progress),
      );
    }
    if (withSoak)
      soakResult = await soak(context, cached, model, distinctBodies(texts.distinct, model));
  } finally {
    await context.children.stop(cached.child);
  }
  return { scenarios, soak: soakResult };
}
