import autocannon from 'autocannon';
import type { LatencySummary } from './bench-result';

/** What autocannon sends: one JSON body per request, from a (cycling) source. */
export type BodySource = () => string;

export interface LoadSpec {
  readonly url: string;
  readonly connections: number;
  readonly durationS: number;
  readonly nextBody: BodySource;
  /** Called about once a second with the seconds elapsed, for the progress line. */
  readonly onTick?: (elapsedS: number) => void;
}

export interface LoadOutcome {
  readonly durationS: number;
  readonly responses: number;
  readonly ok: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: LatencySummary;
  readonly errors: number;
  readonly non2xx: number;
  readonly timeouts: number;
}

/** Matches Sift's REQUEST_TIMEOUT_MS default, so a slow answer is measured, not dropped. */
const CLIENT_TIMEOUT_S = 30;

/** Exact percentile of sorted values (nearest rank). */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Growable list of latencies (ms): a long soak records hundreds of thousands. */
class LatencyRecorder {
  private values = new Float64Array(1 << 14);
  private length = 0;

  add(ms: number): void {
    if (this.length === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = ms;
  }

  summary(): LatencySummary {
    const sorted = this.values.slice(0, this.length).sort();
    let total = 0;
    for (const value of sorted) total += value;
    return {
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      mean: sorted.length === 0 ? 0 : total / sorted.length,
      max: sorted.length === 0 ? 0 : sorted[sorted.length - 1],
    };
  }
}

/**
 * Drives POST requests at a fixed number of connections for a fixed time. Latency
 * percentiles are computed from every response (autocannon's own summary has no p95).
 */
export function runLoad(spec: LoadSpec): Promise<LoadOutcome> {
  if (!spec.url.startsWith('http://127.0.0.1:')) {
    // The harness loads only servers it started itself, on this machine.
    return Promise.reject(new Error(`refusing to load ${spec.url}: only 127.0.0.1 is allowed`));
  }
  const latencies = new LatencyRecorder();
  let responses = 0;
  let ok = 0;
  return new Promise<LoadOutcome>((resolve, reject) => {
    const startedAt = performance.now();
    const instance = autocannon(
      {
        url: spec.url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        connections: spec.connections,
        duration: spec.durationS,
        timeout: CLIENT_TIMEOUT_S,
        // A fresh body per request: the cache sees a new text every time (or the hot set).
        requests: [{ setupRequest: (request) => ({ ...request, body: spec.nextBody() }) }],
      },
      (error: Error | null, result) => {
        clearInterval(ticker);
        if (error !== null) {
          reject(error);
          return;
        }
        const durationS = (performance.now() - startedAt) / 1000;
        resolve({
          durationS,
          responses,
          ok,
          requestsPerSecond: ok / durationS,
          latencyMs: latencies.summary(),
          // autocannon's `errors` already includes its timeouts.
          errors: result.errors + result.non2xx,
          non2xx: result.non2xx,
          timeouts: result.timeouts,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      responses++;
      if (statusCode >= 200 && statusCode < 300) ok++;
      latencies.add(responseTime);
    });
    const ticker = setInterval(() => spec.onTick?.((performance.now() - startedAt) / 1000), 1000);
  });
}
