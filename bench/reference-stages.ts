import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import type { CeilingResult, SideBySideCeiling } from './bench-result';
import type { ChildProcesses } from './child-processes';
import { REPO_ROOT, modelDir, startReference, type RunningServer } from './servers';
import type { StageContext } from './stage-context';

/** Seconds the ceiling child may take beyond its measured time (loading, tokenizing). */
const CEILING_OVERHEAD_S = 180;

/** ORT intra-op threads as Sift gets them (0 = ONNX Runtime's default), for a fair ceiling. */
function intraOpThreads(): string {
  const raw = process.env.ORT_INTRA_OP_THREADS;
  return raw !== undefined && /^\d+$/.test(raw) ? raw : '0';
}

/** Reference 1: onnxruntime-node in-process, pre-tokenized, best of several batch sizes. */
export async function runCeiling(context: StageContext, model: string): Promise<CeilingResult> {
  const { options, progress } = context;
  const seconds = options.ceilingBatchSizes.length * options.ceilingDurationS;
  progress.begin(
    `${model} · ceiling (ORT in-process, batch ${options.ceilingBatchSizes.join('/')})`,
    seconds,
  );
  const [single] = await runCeilingProcesses(context, model, 1, intraOpThreads());
  if (options.ceilingBatchSizes.length < 2) return single;
  const cores = availableParallelism();

  // Sift's worker layout: two sessions at once, the cores split between them.
  const sessions = 2;
  const intra = String(Math.max(1, Math.floor(availableParallelism() / sessions)));
  progress.begin(
    `${model} · ceiling, ${sessions} sessions side by side (${intra} thread each)`,
    seconds,
  );
  const parallel = await runCeilingProcesses(context, model, sessions, intra);
  const sideBySide = sumSideBySide(single, parallel, Number(intra));

  progress.begin(
    `${model} · tokenizer-bound ceiling, ${cores} processes that tokenize and run`,
    seconds,
  );
  const tokenizing = await runCeilingProcesses(context, model, cores, '1', ['--tokenize']);
  return { ...single, sideBySide, tokenizerBound: sumSideBySide(single, tokenizing, 1) };
}

/** The best batch size of several processes' summed rates. */
function sumSideBySide(
  single: CeilingResult,
  runs: readonly CeilingResult[],
  intraOpThreads: number,
): SideBySideCeiling {
  const summed = single.points.map((point, index) => ({
    batchSize: point.batchSize,
    textsPerSecond: runs.reduce((sum, run) => sum + run.points[index].textsPerSecond, 0),
  }));
  const best = summed.reduce((a, b) => (b.textsPerSecond > a.textsPerSecond ? b : a));
  return {
    sessions: runs.length,
    intraOpThreads,
    bestBatchSize: best.batchSize,
    textsPerSecond: best.textsPerSecond,
  };
}

/** Runs `count` ceiling processes at once and returns each one's result. */
async function runCeilingProcesses(
  context: StageContext,
  model: string,
  count: number,
  intraOp: string,
  extraArgs: readonly string[] = [],
): Promise<CeilingResult[]> {
  const { options, children } = context;
  const seconds = options.ceilingBatchSizes.length * options.ceilingDurationS;
  const started = Array.from({ length: count }, (_, index) =>
    children.start(
      `ceiling ${index + 1}/${count} (${model})`,
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
        intraOp,
        ...extraArgs,
      ],
      process.env,
    ),
  );
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), (seconds + CEILING_OVERHEAD_S) * 1000);
  });
  const codes = await Promise.race([Promise.all(started.map((child) => child.exit)), limit]);
  clearTimeout(timer);
  if (codes === 'timeout') {
    await Promise.all(started.map((child) => children.stop(child)));
    throw new Error(
      `the ceiling run for ${model} did not finish in time:\n${started[0].logTail()}`,
    );
  }
  return started.map((child, index) => {
    if (codes[index] !== 0) {
      throw new Error(`the ceiling run for ${model} failed:\n${child.logTail()}`);
    }
    const lines = child.stdout().trim().split('\n');
    return JSON.parse(lines[lines.length - 1]) as CeilingResult;
  });
}

/** Reference 2: a transformers.js pipeline per request behind Fastify (bench/naive-peer.ts). */
export function startNaivePeer(children: ChildProcesses, model: string): Promise<RunningServer> {
  return startReference(children, `naive peer (${model})`, 'naive-peer.ts', [
    '--model-dir',
    modelDir(model),
  ]);
}

/** Reference 3: the HTTP ceiling, a constant-JSON Fastify route (bench/bare-fastify.ts). */
export function startBareFastify(children: ChildProcesses): Promise<RunningServer> {
  return startReference(children, 'bare fastify', 'bare-fastify.ts', []);
}

/** Reference 4: Node's http, the same tokenizer, one ORT session (bench/minimal-peer.ts). */
export function startMinimalPeer(children: ChildProcesses, model: string): Promise<RunningServer> {
  return startReference(children, `minimal server (${model})`, 'minimal-peer.ts', [
    '--model-dir',
    modelDir(model),
  ]);
}
