/** The JSON a run writes under bench/results/; `schemaVersion` changes when fields do. */
export interface BenchResult {
  readonly schemaVersion: 1;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly command: string;
  readonly mode: 'full' | 'quick' | 'smoke';
  readonly machine: MachineInfo;
  readonly options: Readonly<Record<string, unknown>>;
  readonly scenarios: readonly ScenarioResult[];
  readonly ceilings: readonly CeilingResult[];
  readonly infinity: InfinityComparison | null;
  readonly soak: SoakResult | null;
  /** Where each model ran and what it cost in memory (Sift with the cache off). */
  readonly footprints: readonly ModelFootprint[];
  readonly targets: readonly TargetResult[];
}

export interface ModelFootprint {
  readonly model: string;
  /** From GET /models: 0 = sessions on the event loop, else worker threads. */
  readonly workers: number;
  /** From GET /models: event-loop, worker-threads or tokenizer-threads ("?" from older servers). */
  readonly placement: string;
  /** TOKENIZER_THREADS as Sift ran it ("auto": one per core on 2 or more cores). */
  readonly tokenizerThreads: string;
  /** VmRSS of the Sift process after its warm-up, idle. */
  readonly rssIdleMiB: number | undefined;
  /** Highest VmRSS seen in any of its distinct-text scenarios. */
  readonly rssPeakMiB: number | undefined;
}

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  /** The flags that decide int8 and float kernels (avx2, avx512_vnni…): figures differ by them. */
  readonly cpuFlags: readonly string[];
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  /** 1, 5 and 15 minute load averages when the run started: above ~1 means noisy numbers. */
  readonly loadAverageAtStart: readonly number[];
}

/** What answered the load: Sift itself or one of the references. */
export type TargetName = 'sift' | 'naive-peer' | 'bare-fastify' | 'minimal-peer';

/**
 * `distinct`: every request a different held-out message (the cache always misses);
 * `hits`: a small repeated set (after warm-up, every request is a cache hit);
 * `tokens-8` / `tokens-128`: texts that tokenize to exactly that many tokens.
 */
export type Workload = 'distinct' | 'hits' | 'tokens-8' | 'tokens-16' | 'tokens-128' | 'tokens-300';

export interface LatencySummary {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly mean: number;
  readonly max: number;
}

export interface ScenarioResult {
  readonly target: TargetName;
  readonly model: string | null;
  readonly workload: Workload;
  readonly concurrency: number;
  readonly durationS: number;
  /** Responses received (any status). */
  readonly requests: number;
  readonly requestsPerSecond: number;
  /** Texts classified per second (each request carries one text). */
  readonly textsPerSecond: number;
  readonly latencyMs: LatencySummary;
  /** Connection errors + timeouts + non-2xx responses. */
  readonly errors: number;
  readonly non2xx: number;
  readonly timeouts: number;
  /** Texts per ONNX run, from Sift's /metrics; null where the server does not export it. */
  readonly meanBatchSize: number | null;
  /** Share of cache lookups that hit, from Sift's /metrics; null where not exported. */
  readonly cacheHitRatio: number | null;
  /** CPU time of the server process over wall time, in % of one core (200 = both cores). */
  readonly serverCpuPercent: number | null;
  /** The same for this harness process, which runs autocannon on the same two cores. */
  readonly loadGeneratorCpuPercent: number;
  readonly peakRssMiB: number | null;
}

export interface CeilingPoint {
  readonly batchSize: number;
  readonly textsPerSecond: number;
  readonly runs: number;
  /** Real tokens / padded tokens fed to the model. */
  readonly paddingEfficiency: number;
}

export interface CeilingResult {
  readonly model: string;
  readonly bestBatchSize: number;
  readonly textsPerSecond: number;
  readonly points: readonly CeilingPoint[];
  /**
   * The same, with several sessions running at once in separate processes, the cores split
   * between them: the layout Sift's worker pool uses. The target compares with the
   * one-session ceiling above; this shows how close Sift gets to its own layout's best.
   */
  readonly sideBySide?: SideBySideCeiling;
  /**
   * One process per core, one thread each, that tokenizes every batch, builds its tensors and
   * runs it (ceiling.ts --tokenize): the most a server could get from all cores for a model
   * whose tokenizer costs more than its graph, before any HTTP.
   */
  readonly tokenizerBound?: SideBySideCeiling;
}

export interface SideBySideCeiling {
  readonly sessions: number;
  readonly intraOpThreads: number;
  readonly bestBatchSize: number;
  /** Sum over the sessions. */
  readonly textsPerSecond: number;
}

export interface InfinityRow {
  readonly tokens: 8 | 128;
  readonly infinityRps: number;
  readonly plainTransformersRps: number;
  readonly siftRps: number | null;
  readonly siftP50Ms: number | null;
  readonly naivePeerRps: number | null;
  /** Sift serving the int8 graph (`<model>@q8`) at c=8, as the quantization issue asks. */
  readonly siftQ8Rps: number | null;
}

export interface InfinityComparison {
  readonly model: string;
  readonly note: string;
  readonly rows: readonly InfinityRow[];
}

export interface SoakResult {
  readonly model: string;
  readonly durationS: number;
  readonly concurrency: number;
  readonly warmupS: number;
  readonly rssAfterWarmupMiB: number;
  readonly rssAtEndMiB: number;
  readonly peakRssMiB: number;
  readonly rssGrowthPercent: number;
  readonly errors: number;
  readonly requestsPerSecond: number;
  /** RSS once a second, MiB, for plotting. */
  readonly rssSeriesMiB: readonly number[];
}

/** `info`: a comparison shown for context, with no target of its own. */
export type Verdict = 'PASS' | 'MISS' | 'n/a' | 'info';

export interface TargetResult {
  readonly name: string;
  readonly goal: string;
  readonly measured: string;
  readonly verdict: Verdict;
}
