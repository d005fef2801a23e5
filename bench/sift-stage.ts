import type { ModelFootprint, ScenarioResult, SoakResult, TargetName } from './bench-result';
import { runLoad, type BodySource } from './load-generator';
import { ProcessWatch, statusMiB } from './process-stats';
import { measureScenario } from './scenario';
import { startBareFastify, startMinimalPeer, startNaivePeer } from './reference-stages';
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
 * One model, measured in pairs so that each ratio compares numbers taken a few seconds apart
 * (this VM's speed drifts by 10-20% over minutes): every distinct-text scenario runs on Sift
 * and then on the naive peer, every cache-hit scenario on Sift and then on bare Fastify.
 *
 * Distinct texts run with CACHE_ENABLED=false, so each scenario can start at the first
 * held-out message like every other target and still never hit; the hot set runs on a server
 * with the cache on (all hits after priming), and so does the soak (distinct bodies over a
 * filling cache: its item limit must hold RSS).
 */
export async function runModelStage(
  context: StageContext,
  model: string,
  withSoak: boolean,
): Promise<{
  scenarios: ScenarioResult[];
  soak: SoakResult | null;
  footprints: ModelFootprint[];
}> {
  const { options, progress, texts, children } = context;
  const scenarios: ScenarioResult[] = [];
  const footprints: ModelFootprint[] = [];
  const measure = async (
    server: RunningServer,
    target: TargetName,
    workload: 'distinct' | 'hits',
    concurrency: number,
    nextBody: BodySource,
  ): Promise<void> => {
    const spec = { target, model, workload, concurrency, durationS: options.durationS };
    scenarios.push(
      await measureScenario(server, { ...spec, nextBody, scrape: target === 'sift' }, progress),
    );
  };

  progress.note(`starting sift (CACHE_ENABLED=false) and the naive peer on models/${model}`);
  const uncached = await startSift(children, model, false, options.profile);
  let naive: RunningServer | undefined;
  try {
    if (options.naiveConcurrency.length > 0) naive = await startNaivePeer(children, model);
    await warmUp(context, uncached, `${model} · sift`, cyclingBodies(texts.warmup, model));
    const footprint = await readFootprint(uncached, model);
    if (naive !== undefined) {
      await warmUp(context, naive, `${model} · naive-peer`, cyclingBodies(texts.warmup, undefined));
    }
    for (const concurrency of options.concurrency) {
      await measure(
        uncached,
        'sift',
        'distinct',
        concurrency,
        cyclingBodies(texts.distinct, model),
      );
      if (naive !== undefined && options.naiveConcurrency.includes(concurrency)) {
        const nextBody = cyclingBodies(texts.distinct, undefined);
        await measure(naive, 'naive-peer', 'distinct', concurrency, nextBody);
      }
    }
    const peaks = scenarios
      .filter((row) => row.target === 'sift' && row.workload === 'distinct')
      .flatMap((row) => (row.peakRssMiB === null ? [] : [row.peakRssMiB]));
    footprints.push({
      ...footprint,
      rssPeakMiB: peaks.length === 0 ? undefined : Math.max(...peaks),
    });
  } finally {
    await children.stop(uncached.child);
    if (naive !== undefined) await children.stop(naive.child);
  }
  if (options.concurrency.includes(1)) await measureMinimalPeer(context, model, measure);

  progress.note(`starting sift (CACHE_ENABLED=true) and bare Fastify`);
  const cached = await startSift(children, model, true, options.profile);
  let bare: RunningServer | undefined;
  let soakResult: SoakResult | null = null;
  try {
    bare = await startBareFastify(children);
    await warmUp(context, cached, `${model} · sift (cache)`, distinctBodies(texts.warmup, model));
    await warmUp(context, bare, `${model} · bare-fastify`, cyclingBodies(texts.hot, model));
    await primeHotSet(cached, texts.hot, model);
    for (const concurrency of options.concurrency) {
      await measure(cached, 'sift', 'hits', concurrency, cyclingBodies(texts.hot, model));
      // The same bytes as Sift's hits; `model` here names the Sift run it is paired with.
      await measure(bare, 'bare-fastify', 'hits', concurrency, cyclingBodies(texts.hot, model));
    }
    if (withSoak) {
      await children.stop(bare.child);
      soakResult = await soak(context, cached, model, distinctBodies(texts.distinct, model));
    }
  } finally {
    await children.stop(cached.child);
    if (bare !== undefined) await children.stop(bare.child);
  }
  return { scenarios, soak: soakResult, footprints };
}

/** Where the model runs (GET /models) and the server's resident memory, idle after warm-up. */
async function readFootprint(
  server: RunningServer,
  model: string,
): Promise<Omit<ModelFootprint, 'rssPeakMiB'>> {
  const response = await fetch(`${server.baseUrl}/models`, { signal: AbortSignal.timeout(10_000) });
  const listed = (await response.json()) as {
    models?: { name: string; workers: number; placement?: string }[];
  };
  const entry = listed.models?.find((item) => item.name === model);
  return {
    model,
    workers: entry?.workers ?? -1,
    placement: entry?.placement ?? '?',
    tokenizerThreads: process.env.TOKENIZER_THREADS ?? 'auto',
    rssIdleMiB: server.child.pid === undefined ? undefined : statusMiB(server.child.pid, 'VmRSS'),
  };
}

/** Counted progress steps of one runModelStage call (the soak not included). */
export function modelStageSteps(options: StageContext['options']): number {
  const naive = options.naiveConcurrency.length > 0;
  const naiveScenarios = options.concurrency.filter((c) => options.naiveConcurrency.includes(c));
  return (
    1 +
    (naive ? 1 + naiveScenarios.length : 0) +
    options.concurrency.length +
    2 +
    2 * options.concurrency.length
  );
}

/**
 * The minimal server at concurrency 1 on the same distinct texts: what one request costs with
 * none of Sift's features, so Sift's c=1 rate against it is the price of the whole pipeline.
 */
async function measureMinimalPeer(
  context: StageContext,
  model: string,
  measure: (
    server: RunningServer,
    target: TargetName,
    workload: 'distinct' | 'hits',
    concurrency: number,
    nextBody: BodySource,
  ) => Promise<void>,
): Promise<void> {
  const { children, texts } = context;
  context.progress.note(`starting the minimal server on models/${model}`);
  const minimal = await startMinimalPeer(children, model);
  try {
    await warmUp(
      context,
      minimal,
      `${model} · minimal-peer`,
      cyclingBodies(texts.warmup, undefined),
    );
    await measure(minimal, 'minimal-peer', 'distinct', 1, cyclingBodies(texts.distinct, undefined));
  } finally {
    await children.stop(minimal.child);
  }
}
