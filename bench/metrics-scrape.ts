/** The counters of Sift's /metrics the harness turns into per-scenario numbers. */
export interface MetricsSnapshot {
  readonly batchSizeSum: number | undefined;
  readonly batchSizeCount: number | undefined;
  readonly cacheHits: number | undefined;
  readonly cacheMisses: number | undefined;
}

const EMPTY: MetricsSnapshot = {
  batchSizeSum: undefined,
  batchSizeCount: undefined,
  cacheHits: undefined,
  cacheMisses: undefined,
};

/** Sums every sample of `name` whose labels include all of `labels`. */
function sumSamples(
  text: string,
  name: string,
  labels: Readonly<Record<string, string>>,
): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match === null || match[1] !== name) continue;
    const labelText = match[2] ?? '';
    const wanted = Object.entries(labels).every(([key, value]) =>
      labelText.includes(`${key}="${value}"`),
    );
    const value = Number(match[3]);
    if (wanted && Number.isFinite(value)) total = (total ?? 0) + value;
  }
  return total;
}

/**
 * Reads the batch-size histogram and cache counters. Missing metrics (an older build, or a
 * peer without /metrics) give undefined fields rather than an error: the table shows "–".
 */
export async function scrapeMetrics(baseUrl: string, model: string): Promise<MetricsSnapshot> {
  let text: string;
  try {
    const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
    text = await response.text();
    if (response.status !== 200) return EMPTY;
  } catch {
    // Degrading is deliberate here: the columns are optional, the load numbers are not.
    return EMPTY;
  }
  return {
    batchSizeSum: sumSamples(text, 'nlp_batch_size_sum', { model }),
    batchSizeCount: sumSamples(text, 'nlp_batch_size_count', { model }),
    cacheHits: sumSamples(text, 'nlp_cache_requests_total', { tier: 'memory', result: 'hit' }),
    cacheMisses: sumSamples(text, 'nlp_cache_requests_total', { tier: 'memory', result: 'miss' }),
  };
}

/**
 * The server's CPU seconds so far (prom-client's process_cpu_seconds_total: every thread of the
 * process). Per request, it shows a cost that a busy shared machine's throughput hides.
 */
export async function serverCpuSeconds(baseUrl: string): Promise<number | undefined> {
  const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
  return sumSamples(await response.text(), 'process_cpu_seconds_total', {});
}

function delta(after: number | undefined, before: number | undefined): number | undefined {
  return after === undefined ? undefined : after - (before ?? 0);
}

/** Mean texts per ONNX run and cache hit share between two snapshots. */
export function metricsDelta(
  before: MetricsSnapshot,
  after: MetricsSnapshot,
): { meanBatchSize: number | null; cacheHitRatio: number | null } {
  const sum = delta(after.batchSizeSum, before.batchSizeSum);
  const count = delta(after.batchSizeCount, before.batchSizeCount);
  const hits = delta(after.cacheHits, before.cacheHits);
  const misses = delta(after.cacheMisses, before.cacheMisses);
  const lookups = (hits ?? 0) + (misses ?? 0);
  return {
    meanBatchSize: sum !== undefined && count !== undefined && count > 0 ? sum / count : null,
    cacheHitRatio: hits !== undefined && lookups > 0 ? hits / lookups : null,
  };
}
