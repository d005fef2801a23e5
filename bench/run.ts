/**
 * `npm run bench`: Sift's production server under autocannon load, beside three references
 * (ONNX Runtime in-process, a naive transformers.js server, a bare Fastify route). Prints a
 * table and the target ratios, and writes the numbers as JSON under bench/results/.
 * See docs/performance.md for what each column means.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

import { readCpuFeatures } from '../src/modules/inference/runtime/cpu-features';
import { parseBenchOptions, USAGE, type BenchOptions } from './bench-options';
import type {
  BenchResult,
  CeilingResult,
  InfinityComparison,
  ModelFootprint,
  ScenarioResult,
  SoakResult,
} from './bench-result';
import { ChildProcesses } from './child-processes';
import { runInfinityStage } from './infinity-stage';
import { QUANTIZED_STAGE_STEPS, runQuantizedStage } from './quantized-stage';
import { runShortTextStage } from './short-text-stage';
import { Progress } from './progress';
import { runCeiling } from './reference-stages';
import { renderReport } from './report';
import { REPO_ROOT, ensureBuild, ensureModel } from './servers';
import { modelStageSteps, runModelStage } from './sift-stage';
import type { StageContext } from './stage-context';
import { TARGET_MODEL, evaluateTargets } from './targets';
import { loadBenchTexts } from './text-sets';

/** Counted progress steps, so the line can say "[7/38]". */
function countSteps(options: BenchOptions): number {
  // The ceiling runs three times: one session, sessions side by side, tokenizer-bound.
  const ceilingSteps = options.ceilingBatchSizes.length < 2 ? 1 : 3;
  const perModel = ceilingSteps + modelStageSteps(options);
  const soak = options.soakS > 0 ? 1 : 0;
  const infinity = options.infinity ? 9 : 0;
  // Two warm-ups and a Sift/naive pair per length.
  const shortTexts = shortTextStageRuns(options) ? 6 : 0;
  const quantized = options.quantized ? QUANTIZED_STAGE_STEPS : 0;
  return options.models.length * perModel + soak + infinity + shortTexts + quantized;
}

/** Full runs that measure the target model also compare short texts (bench/short-text-stage). */
function shortTextStageRuns(options: BenchOptions): boolean {
  return options.mode === 'full' && options.models.includes(TARGET_MODEL);
}

/** Tuning variables passed through to Sift from this shell: a result must say what it ran. */
const TUNING_VARIABLES = [
  'MAX_BATCH_SIZE',
  'MAX_BATCH_TOKENS',
  'MAX_BATCH_DELAY_MS',
  'MAX_PADDING_FRACTION',
  'INFERENCE_WORKERS',
  'TOKENIZER_THREADS',
  'INFERENCE_CONCURRENCY',
  'ORT_INTRA_OP_THREADS',
  'ORT_INTER_OP_THREADS',
  'MAX_SEQ_LEN',
];

function siftOverrides(): Record<string, string> {
  const set: Record<string, string> = {};
  for (const name of TUNING_VARIABLES) {
    const value = process.env[name];
    if (value !== undefined && value !== '') set[name] = value;
  }
  return set;
}

function soakModel(options: BenchOptions): string | undefined {
  if (options.soakS === 0) return undefined;
  return options.models.includes(TARGET_MODEL) ? TARGET_MODEL : options.models[0];
}

function defaultOutFile(options: BenchOptions, startedAt: Date): string {
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  return join(REPO_ROOT, 'bench', 'results', `${stamp}-${options.mode}.json`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const options = parseBenchOptions(argv);
  if (options === undefined) {
    console.log(USAGE);
    return;
  }
  const startedAt = new Date();
  const loadAverageAtStart = loadavg();
  const children = new ChildProcesses();
  const progress = new Progress(countSteps(options));
  const workDir = mkdtempSync(join(tmpdir(), 'sift-bench-'));
  const onSignal = (signal: NodeJS.Signals): void => {
    progress.done();
    console.error(`\n${signal}: stopping the servers the benchmark started`);
    children.killAllNow();
    rmSync(workDir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    if (loadAverageAtStart[0] > 1) {
      progress.note(
        `note: load average ${loadAverageAtStart[0].toFixed(2)} > 1 — other work is running, numbers will be noisy`,
      );
    }
    const overrides = Object.entries(siftOverrides());
    progress.note(
      overrides.length === 0
        ? 'Sift runs with its default tuning'
        : `Sift tuning from this shell: ${overrides.map(([name, value]) => `${name}=${value}`).join(' ')}`,
    );
    ensureBuild((message) => progress.note(message));
    for (const model of options.models) ensureModel(model, (message) => progress.note(message));
    progress.note('loading held-out SpamAssassin texts');
    const texts = loadBenchTexts();
    const textsFile = join(workDir, 'texts.json');
    writeFileSync(textsFile, JSON.stringify(texts.distinct));
    const context: StageContext = { options, children, progress, texts, textsFile };

    const scenarios: ScenarioResult[] = [];
    const ceilings: CeilingResult[] = [];
    let soak: SoakResult | null = null;
    const footprints: ModelFootprint[] = [];
    let infinity: InfinityComparison | null = null;
    for (const model of options.models) {
      ceilings.push(await runCeiling(context, model));
      const stage = await runModelStage(context, model, soakModel(options) === model);
      scenarios.push(...stage.scenarios);
      footprints.push(...stage.footprints);
      soak ??= stage.soak;
    }
    if (shortTextStageRuns(options)) scenarios.push(...(await runShortTextStage(context)));
    if (options.quantized) {
      ensureModel(TARGET_MODEL, (message) => progress.note(message));
      scenarios.push(...(await runQuantizedStage(context)));
    }
    if (options.infinity) {
      const stage = await runInfinityStage(context);
      scenarios.push(...stage.scenarios);
      infinity = stage.comparison;
    }
    progress.done();

    const result: BenchResult = {
      schemaVersion: 1,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      command: `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
      mode: options.mode,
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        cpuFlags: readCpuFeatures().flags,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
        loadAverageAtStart,
      },
      options: { ...options, siftEnvironment: siftOverrides() },
      scenarios,
      ceilings,
      infinity,
      soak,
      footprints,
      targets: evaluateTargets(scenarios, ceilings, soak, options.soakS > 0),
    };
    const outFile = options.outFile ?? defaultOutFile(options, startedAt);
    mkdirSync(join(outFile, '..'), { recursive: true });
    writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
    console.log(renderReport(result, outFile));
  } finally {
    progress.done();
    await children.stopAll();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`\nbench failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
});
