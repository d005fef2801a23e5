import { join } from 'node:path';
import type { CeilingResult, ScenarioResult } from './bench-result';
import { measureScenario } from './scenario';
import { REPO_ROOT, modelDir, startReference } from './servers';
import { warmUp, type StageContext } from './stage-context';
import { cyclingBodies } from './text-sets';

/** Seconds the ceiling child may take beyond its measured time (loading, tokenizing). */
const CEILING_OVERHEAD_S = 180;

/** ORT intra-op threads as Sift gets them (0 = ONNX Runtime's default), for a fair ceiling. */
function intraOpThreads(): string {
  const raw = process.env.ORT_INTRA_OP_THREADS;
  return raw !== undefined && /^\d+$/.test(raw) ? raw : '0';
}

/** Reference 1: onnxruntime-node in-process, pre-tokenized, best of several batch sizes. */
export async function runCeiling(context: StageContext, model: string): Promise<CeilingResult> {
  const { options, progress, children } = context;
  const seconds = options.ceilingBatchSizes.length * options.ceilingDurationS;
  progress.begin(
    `${model} · ceiling (ORT in-process, batch ${options.ceilingBatchSizes.join('/')})`,
    seconds,
  );
  const child = children.start(
    `ceiling (${model})`,
    process.execPath,
    [
      '--import',
      'tsx',
      join(REPO_ROOT, 'bench', 'ceiling.ts'),
      '--model-dir',
      modelDir(model),
      '--texts',
      context.textsFile,
      '--batch-sizes',
      options.ceilingBatchSizes.join(','),
      '--duration',
      String(options.ceilingDurationS),
      '--intra-op',
      intraOpThreads(),
    ],
    process.env,
  );
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), (seconds + CEILING_OVERHEAD_S) * 1000);
  });
  const code = await Promise.race([child.exit, limit]);
  clearTimeout(timer);
  if (code === 'timeout') {
    await children.stop(child);
    throw new Error(`the ceiling run for ${model} did not finish in time:\n${child.logTail()}`);
  }
  const lines = child.stdout().trim().split('\n');
  if (code !== 0) throw new Error(`the ceiling run for ${model} failed:\n${child.logTail()}`);
  return JSON.parse(lines[lines.length - 1]) as CeilingResult;
}

/** Reference 2: transformers.js pipeline per request behind Fastify, distinct texts. */
export async function runNaivePeer(
  context: StageContext,
  model: string,
): Promise<ScenarioResult[]> {
  const { options, progress, children, texts } = context;
  if (options.naiveConcurrency.length === 0) return [];
  progress.note(`starting the naive peer (transformers.js pipeline) on models/${model}`);
  const server = await startReference(children, `naive peer (${model})`, 'naive-peer.ts', [
    '--model-dir',
    modelDir(model),
  ]);
  const scenarios: ScenarioResult[] = [];
  try {
    await warmUp(context, server, `${model} · naive-peer`, cyclingBodies(texts.warmup, undefined));
    for (const concurrency of options.naiveConcurrency) {
      scenarios.push(
        await measureScenario(
          server,
          {
            target: 'naive-peer',
            model,
            workload: 'distinct',
            concurrency,
            durationS: options.durationS,
            // From the first held-out message, like Sift's and the ceiling's runs.
            nextBody: cyclingBodies(texts.distinct, undefined),
            scrape: false,
          },
          progress,
        ),
      );
    }
  } finally {
    await children.stop(server.child);
  }
  return scenarios;
}

/** Reference 3: the HTTP ceiling — the same bodies as Sift's cache-hit runs, constant answer. */
export async function runBareFastify(context: StageContext): Promise<ScenarioResult[]> {
  const { options, progress, children, texts } = context;
  progress.note('starting bare Fastify (constant JSON answer)');
  const server = await startReference(children, 'bare fastify', 'bare-fastify.ts', []);
  const scenarios: ScenarioResult[] = [];
  try {
    const nextBody = cyclingBodies(texts.hot, options.models[0]);
    await warmUp(context, server, 'bare-fastify', nextBody);
    for (const concurrency of options.concurrency) {
      scenarios.push(
        await measureScenario(
          server,
          {
            target: 'bare-fastify',
            model: null,
            workload: 'hits',
            concurrency,
            durationS: options.durationS,
            nextBody,
            scrape: false,
          },
          progress,
        ),
      );
    }
  } finally {
    await children.stop(server.child);
  }
  return scenarios;
}
