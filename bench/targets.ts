import type {
  CeilingResult,
  ScenarioResult,
  SoakResult,
  TargetResult,
  Verdict,
  Workload,
} from './bench-result';

/** The transformer model the throughput and latency targets are set for. */
export const TARGET_MODEL = 'bert-bench';
/** The shipped default model: where users start, and the tokenizer-bound targets. */
export const DEFAULT_MODEL = 'spam-en';

type Pick = (
  target: ScenarioResult['target'],
  model: string | null,
  workload: Workload,
  concurrency: number,
) => ScenarioResult | undefined;

const verdict = (ok: boolean | undefined): Verdict =>
  ok === undefined ? 'n/a' : ok ? 'PASS' : 'MISS';
const fixed = (value: number, digits = 1): string => value.toFixed(digits);

/** "a / b = r×" with a verdict from `r`, or "not measured" when either side is missing. */
function ratioTarget(
  name: string,
  goal: string,
  ours: number | undefined,
  theirs: number | undefined,
  passes: ((ratio: number) => boolean) | 'info',
  digits = 1,
): TargetResult {
  if (ours === undefined || theirs === undefined || theirs <= 0) {
    return { name, goal, measured: 'not measured', verdict: passes === 'info' ? 'info' : 'n/a' };
  }
  const ratio = ours / theirs;
  return {
    name,
    goal,
    measured: `${fixed(ours, digits)} / ${fixed(theirs, digits)} = ${fixed(ratio, 2)}×`,
    verdict: passes === 'info' ? 'info' : verdict(passes(ratio)),
  };
}

/**
 * The throughput issue's targets for this 2-core machine (issue 17, "round two"), each with
 * what was measured. A target whose inputs were not part of this run (another --models or
 * --concurrency) is "n/a".
 */
export function evaluateTargets(
  scenarios: readonly ScenarioResult[],
  ceilings: readonly CeilingResult[],
  soak: SoakResult | null,
  soakRequested: boolean,
): TargetResult[] {
  const pick: Pick = (target, model, workload, concurrency) =>
    scenarios.find(
      (row) =>
        row.target === target &&
        row.model === model &&
        row.workload === workload &&
        row.concurrency === concurrency,
    );
  const rate = (row: ScenarioResult | undefined) => row?.textsPerSecond;
  const targets: TargetResult[] = [];

  // 1. The default model under load, against one transformers.js call per request.
  const spam64 = pick('sift', DEFAULT_MODEL, 'distinct', 64);
  targets.push(
    ratioTarget(
      `${DEFAULT_MODEL} c=64 distinct vs naive peer`,
      'Sift texts/s ≥ 1.6 × transformers.js per request',
      rate(spam64),
      rate(pick('naive-peer', DEFAULT_MODEL, 'distinct', 64)),
      (ratio) => ratio >= 1.6,
    ),
  );

  // 2. The default model alone: latency and rate.
  const spam1 = pick('sift', DEFAULT_MODEL, 'distinct', 1);
  const naiveSpam1 = pick('naive-peer', DEFAULT_MODEL, 'distinct', 1);
  targets.push(
    ratioTarget(
      `${DEFAULT_MODEL} c=1 distinct p50 vs naive peer`,
      'Sift p50 ≤ 1.0 × naive peer p50',
      spam1?.latencyMs.p50,
      naiveSpam1?.latencyMs.p50,
      (ratio) => ratio <= 1.0,
      2,
    ),
    ratioTarget(
      `${DEFAULT_MODEL} c=1 distinct req/s vs naive peer`,
      'Sift req/s ≥ 1.0 × naive peer',
      spam1?.requestsPerSecond,
      naiveSpam1?.requestsPerSecond,
      (ratio) => ratio >= 1.0,
    ),
  );

  // 2b. A lone request against the least a server can do (Node's http, one ORT session).
  targets.push(
    ratioTarget(
      `${DEFAULT_MODEL} c=1 distinct req/s vs minimal server`,
      'Sift req/s ≥ 0.8 × Node http + tokenizer + one ORT session',
      spam1?.requestsPerSecond,
      pick('minimal-peer', DEFAULT_MODEL, 'distinct', 1)?.requestsPerSecond,
      (ratio) => ratio >= 0.8,
    ),
  );

  // 3. The transformer model against its own layout's raw ceiling, and against the peer.
  const bert64 = pick('sift', TARGET_MODEL, 'distinct', 64);
  const ceiling = ceilings.find((row) => row.model === TARGET_MODEL);
  const side = ceiling?.sideBySide;
  targets.push(
    ratioTarget(
      `${TARGET_MODEL} c=64 distinct vs side-by-side ceiling`,
      `Sift texts/s ≥ 0.95 × ${side?.sessions ?? 2} raw ORT sessions at once, pre-tokenized`,
      rate(bert64),
      side?.textsPerSecond,
      (ratio) => ratio >= 0.95,
    ),
    ratioTarget(
      `${TARGET_MODEL} c=64 distinct vs naive peer`,
      'Sift texts/s ≥ 1.5 × transformers.js per request (~300-token texts)',
      rate(bert64),
      rate(pick('naive-peer', TARGET_MODEL, 'distinct', 64)),
      (ratio) => ratio >= 1.5,
    ),
    ratioTarget(
      `${TARGET_MODEL} c=64 distinct vs one-session ceiling`,
      'context: one raw ORT session with every core, pre-tokenized',
      rate(bert64),
      ceiling?.textsPerSecond,
      'info',
    ),
  );
  for (const workload of ['tokens-16', 'tokens-128'] as const) {
    const ours = pick('sift', TARGET_MODEL, workload, 64);
    const peer = pick('naive-peer', TARGET_MODEL, workload, 64);
    if (ours === undefined || peer === undefined) continue;
    targets.push(
      ratioTarget(
        `${TARGET_MODEL} c=64 ${workload} vs naive peer`,
        'context: the 1.5× comparison on shorter texts',
        rate(ours),
        rate(peer),
        'info',
      ),
    );
  }

  // 4. The default model against the most all cores give it with tokenizing, before HTTP.
  const bound = ceilings.find((row) => row.model === DEFAULT_MODEL)?.tokenizerBound;
  targets.push(
    ratioTarget(
      `${DEFAULT_MODEL} c=64 distinct vs tokenizer-bound ceiling`,
      `aim: Sift texts/s ≥ 0.7 × ${bound?.sessions ?? 'one per core'} processes that tokenize and run`,
      rate(spam64),
      bound?.textsPerSecond,
      (ratio) => ratio >= 0.7,
    ),
  );

  // 5. What must not regress: cache hits, the transformer's lone-request latency, the soak.
  const hitModels = [
    ...new Set(
      scenarios
        .filter((row) => row.target === 'sift' && row.workload === 'hits')
        .map((row) => row.model),
    ),
  ];
  for (const model of hitModels.length > 0 ? hitModels : [DEFAULT_MODEL]) {
    // Bare Fastify is measured right after each model's hits; its `model` names that pairing.
    targets.push(
      ratioTarget(
        `${model ?? '-'} c=64 cache hits vs bare Fastify`,
        'Sift req/s ≥ 0.5 × constant-JSON Fastify route',
        pick('sift', model, 'hits', 64)?.requestsPerSecond,
        pick('bare-fastify', model, 'hits', 64)?.requestsPerSecond,
        (ratio) => ratio >= 0.5,
      ),
    );
  }
  targets.push(
    ratioTarget(
      `${TARGET_MODEL} c=1 distinct p50 vs naive peer`,
      'Sift p50 ≤ 1.1 × naive peer p50',
      pick('sift', TARGET_MODEL, 'distinct', 1)?.latencyMs.p50,
      pick('naive-peer', TARGET_MODEL, 'distinct', 1)?.latencyMs.p50,
      (ratio) => ratio <= 1.1,
      2,
    ),
  );

  targets.push({
    name: 'soak c=64',
    goal: 'RSS growth < 10% after warm-up, zero errors',
    measured:
      soak === null
        ? soakRequested
          ? 'did not run'
          : 'not requested (--soak 300)'
        : `${fixed(soak.rssAfterWarmupMiB)} → ${fixed(soak.rssAtEndMiB)} MiB (${fixed(soak.rssGrowthPercent)}%), ${soak.errors} errors`,
    verdict: verdict(soak === null ? undefined : soak.rssGrowthPercent < 10 && soak.errors === 0),
  });

  const errors = scenarios.reduce((sum, row) => sum + row.errors, 0);
  targets.push({
    name: 'all scenarios',
    goal: 'zero errors, timeouts and non-2xx answers',
    measured: `${errors} errors over ${scenarios.reduce((sum, row) => sum + row.requests, 0)} responses`,
    verdict: verdict(scenarios.length === 0 ? undefined : errors === 0),
  });
  return targets;
}
