import { join } from 'node:path';
import type { CeilingResult } from './bench-result';
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
