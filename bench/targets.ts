import type {
  CeilingResult,
  ScenarioResult,
  SoakResult,
  TargetResult,
  Verdict,
  Workload,
} from './bench-result';

/** The model the throughput and latency targets are set for. */
export const TARGET_MODEL = 'bert-bench';

type Pick = (
  target: ScenarioResult['target'],
  model: string | null,
  workload: Workload,
  concurrency: number,
) => ScenarioResult | undefined;

const verdict = (ok: boolean | undefined): Verdict =>
  ok === undefined ? 'n/a' : ok ? 'PASS' : 'MISS';
const fixed = (value: number, digits = 1): string => value.toFixed(digits);

/**
 * The targets for this 2-core machine, each with what was measured. A target whose
 * inputs were not part of this run (another --models or --concurrency) is "n/a".
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
  const targets: TargetResult[] = [];
  const sift64 = pick('sift', TARGET_MODEL, 'distinct', 64);
  const ceiling = ceilings.find((row) => row.model === TARGET_MODEL);
  const ceilingRatio =
    sift64 !== undefined && ceiling !== undefined
      ? sift64.textsPerSecond / ceiling.textsPerSecond
      : undefined;
  targets.push({
    name: `${TARGET_MODEL} c=64 distinct vs ceiling`,
    goal: 'Sift texts/s ≥ 0.9 × ONNX Runtime in-process',
    measured:
      ceilingRatio === undefined
        ? 'not measured'
        : `${fixed(sift64?.textsPerSecond ?? 0)} / ${fixed(ceiling?.textsPerSecond ?? 0)} = ${fixed(ceilingRatio, 2)}×`,
    verdict: verdict(ceilingRatio === undefined ? undefined : ceilingRatio >= 0.9),
  });

  const side = ceiling?.sideBySide;
  if (sift64 !== undefined && side !== undefined) {
    targets.push({
      name: `${TARGET_MODEL} c=64 distinct vs side-by-side ceiling`,
      goal: `context: ${side.sessions} in-process sessions at once, as Sift's workers run`,
      measured: `${fixed(sift64.textsPerSecond)} / ${fixed(side.textsPerSecond)} = ${fixed(sift64.textsPerSecond / side.textsPerSecond, 2)}×`,
      verdict: 'info',
    });
  }

  const naive64 = pick('naive-peer', TARGET_MODEL, 'distinct', 64);
  const naiveRatio =
    sift64 !== undefined && naive64 !== undefined && naive64.textsPerSecond > 0
      ? sift64.textsPerSecond / naive64.textsPerSecond
      : undefined;
  targets.push({
    name: `${TARGET_MODEL} c=64 distinct vs naive peer`,
    goal: 'Sift texts/s ≥ 1.5 × transformers.js per request',
    measured:
      naiveRatio === undefined
        ? 'not measured'
        : `${fixed(sift64?.textsPerSecond ?? 0)} / ${fixed(naive64?.textsPerSecond ?? 0)} = ${fixed(naiveRatio, 2)}×`,
    verdict: verdict(naiveRatio === undefined ? undefined : naiveRatio >= 1.5),
  });

  for (const workload of ['tokens-16', 'tokens-128'] as const) {
    const ours = pick('sift', TARGET_MODEL, workload, 64);
    const peer = pick('naive-peer', TARGET_MODEL, workload, 64);
    if (ours === undefined || peer === undefined || peer.textsPerSecond === 0) continue;
    targets.push({
      name: `${TARGET_MODEL} c=64 ${workload} vs naive peer`,
      goal: 'context: the 1.5× comparison on shorter texts',
      measured: `${fixed(ours.textsPerSecond)} / ${fixed(peer.textsPerSecond)} = ${fixed(ours.textsPerSecond / peer.textsPerSecond, 2)}×`,
      verdict: 'info',
    });
  }

  const sift1 = pick('sift', TARGET_MODEL, 'distinct', 1);
  const naive1 = pick('naive-peer', TARGET_MODEL, 'distinct', 1);
  const latencyRatio =
    sift1 !== undefined && naive1 !== undefined && naive1.latencyMs.p50 > 0
      ? sift1.latencyMs.p50 / naive1.latencyMs.p50
      : undefined;
  targets.push({
    name: `${TARGET_MODEL} c=1 distinct p50 vs naive peer`,
    goal: 'Sift p50 ≤ 1.15 × naive peer p50',
    measured:
      latencyRatio === undefined
        ? 'not measured'
        : `${fixed(sift1?.latencyMs.p50 ?? 0, 2)} ms / ${fixed(naive1?.latencyMs.p50 ?? 0, 2)} ms = ${fixed(latencyRatio, 2)}×`,
    verdict: verdict(latencyRatio === undefined ? undefined : latencyRatio <= 1.15),
  });

  const hitModels = [
    ...new Set(
      scenarios
        .filter((row) => row.target === 'sift' && row.workload === 'hits')
        .map((row) => row.model),
    ),
  ];
  for (const model of hitModels.length > 0 ? hitModels : [TARGET_MODEL]) {
    const hits64 = pick('sift', model, 'hits', 64);
    // Bare Fastify is measured right after each model's hits; its `model` names that pairing.
    const bare64 = pick('bare-fastify', model, 'hits', 64);
    const ratio =
      hits64 !== undefined && bare64 !== undefined && bare64.requestsPerSecond > 0
        ? hits64.requestsPerSecond / bare64.requestsPerSecond
        : undefined;
    targets.push({
      name: `${model ?? '-'} c=64 cache hits vs bare Fastify`,
      goal: 'Sift req/s ≥ 0.5 × constant-JSON Fastify route',
      measured:
        ratio === undefined
          ? 'not measured'
          : `${fixed(hits64?.requestsPerSecond ?? 0)} / ${fixed(bare64?.requestsPerSecond ?? 0)} = ${fixed(ratio, 2)}×`,
      verdict: verdict(ratio === undefined ? undefined : ratio >= 0.5),
    });
  }

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
