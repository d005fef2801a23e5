import type { ScenarioResult, TargetName, Workload } from './bench-result';
import { runLoad, type BodySource, type LoadOutcome } from './load-generator';
import { metricsDelta, scrapeMetrics, type MetricsSnapshot } from './metrics-scrape';
import { ProcessWatch } from './process-stats';
import type { Progress } from './progress';
import type { RunningServer } from './servers';

export interface ScenarioSpec {
  readonly target: TargetName;
  readonly model: string | null;
  readonly workload: Workload;
  readonly concurrency: number;
  readonly durationS: number;
  readonly nextBody: BodySource;
  /** Only Sift exports /metrics; the references get null batch and cache columns. */
  readonly scrape: boolean;
}

const SETTLE_PROBES = 2;
const PROBE_TIMEOUT_MS = 120_000;
let probeCounter = 0;

/**
 * autocannon abandons the requests in flight when its time is up, and the server still works
 * them off, so that tail would delay the next scenario's first answers (and take CPU from its
 * cache hits). Two fresh texts sent one after the other come back only once everything queued
 * before them has been dispatched (FIFO), so the next scenario starts on an idle server.
 */
async function settle(server: RunningServer, model: string | null): Promise<void> {
  for (let i = 0; i < SETTLE_PROBES; i++) {
    const text = `benchmark settle probe ${++probeCounter} at ${Date.now()}`;
    const response = await fetch(`${server.baseUrl}/classify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(model === null ? { text } : { text, model }),
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    await response.arrayBuffer();
  }
}

const NO_METRICS: MetricsSnapshot = {
  batchSizeSum: undefined,
  batchSizeCount: undefined,
  cacheHits: undefined,
  cacheMisses: undefined,
};

/** One row of the table: settle, snapshot, load, snapshot. */
export async function measureScenario(
  server: RunningServer,
  spec: ScenarioSpec,
  progress: Progress,
): Promise<ScenarioResult> {
  await settle(server, spec.target === 'sift' ? spec.model : null);
  const modelLabel = spec.model ?? '';
  const before = spec.scrape ? await scrapeMetrics(server.baseUrl, modelLabel) : NO_METRICS;
  progress.begin(
    `${spec.model ?? '-'} · ${spec.target} · ${spec.workload} · c=${spec.concurrency}`,
    spec.durationS,
  );
  const watch = new ProcessWatch(server.child.pid);
  let load: LoadOutcome;
  try {
    load = await runLoad({
      url: `${server.baseUrl}/classify`,
      connections: spec.concurrency,
      durationS: spec.durationS,
      nextBody: spec.nextBody,
      onTick: (elapsed) => progress.tick(elapsed, spec.durationS),
    });
  } catch (error) {
    watch.finish();
    throw error;
  }
  const usage = watch.finish();
  const after = spec.scrape ? await scrapeMetrics(server.baseUrl, modelLabel) : NO_METRICS;
  if (server.child.exited()) {
    throw new Error(`${server.child.name} died during the load:\n${server.child.logTail()}`);
  }
  const { meanBatchSize, cacheHitRatio } = metricsDelta(before, after);
  return {
    target: spec.target,
    model: spec.model,
    workload: spec.workload,
    concurrency: spec.concurrency,
    durationS: load.durationS,
    requests: load.responses,
    requestsPerSecond: load.requestsPerSecond,
    textsPerSecond: load.requestsPerSecond,
    latencyMs: load.latencyMs,
    errors: load.errors,
    non2xx: load.non2xx,
    timeouts: load.timeouts,
    meanBatchSize,
    cacheHitRatio,
    serverCpuPercent: usage.cpuPercent,
    loadGeneratorCpuPercent: usage.selfCpuPercent,
    peakRssMiB: usage.peakRssMiB,
  };
}
