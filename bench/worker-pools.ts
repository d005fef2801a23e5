import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Piscina } from 'piscina';
import { findGraphFile } from '../src/modules/inference/model/model-files';
import { cpuBudget } from '../src/modules/inference/runtime/cpu-budget';
import type { Logits, ModelRunner } from '../src/modules/inference/runtime/model-runner.interface';
import { packRows } from '../src/modules/inference/runtime/packed-rows';
import { planSessions } from '../src/modules/inference/runtime/session-plan';
import { WorkerPoolRunner } from '../src/modules/inference/runtime/worker-pool-runner';
import type { WorkerSetup } from '../src/modules/inference/runtime/worker-protocol';
import { COMBINED_MODELS_DIR } from '../tools/common/model-dirs';

/**
 * WorkerPoolRunner (hand-written) against the same sessions run on piscina, for heavy graphs:
 * the per-run cost of the hop (a lone run: the solo session on both) and throughput with more
 * runs in flight than sessions. piscina gets what WorkerPoolRunner has: a session per thread,
 * `concurrentTasksPerWorker` as its depth, and a load balancer that sends a run alone in flight
 * to the thread whose extra session has every core. Rounds alternate which pool goes first,
 * so a neighbour's load falls on both. Needs the compiled runtime (`npm run build`, or the
 * copy the test suite's global setup writes): `npx tsx bench/worker-pools.ts [--runtime DIR]`.
 */
const { values } = parseArgs({
  options: {
    runtime: {
      type: 'string',
      default: join(process.cwd(), 'node_modules/.cache/sift-jest-worker/runtime'),
    },
    models: { type: 'string', default: 'spam-en,bert-bench' },
    rounds: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '3' },
    /** piscina's `atomics`: how an idle thread waits for its next task. */
    atomics: { type: 'string', default: 'sync' },
  },
});
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.seconds);
const WORKERS = 2;
const DEPTH = 2;
const IN_FLIGHT = 8;
const ATOMICS = values.atomics as 'sync' | 'async' | 'disabled';

/** The piscina thread: the onnx-worker's job, as a piscina task module. */
function writePiscinaWorker(runtime: string): string {
  const dir = join(tmpdir(), 'sift-bench-worker-pools');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'piscina-graph-worker.js');
  writeFileSync(
    file,
    `'use strict';
const { workerData } = require('node:worker_threads');
const { OnnxGraph } = require(${JSON.stringify(join(runtime, 'onnx-graph.js'))});
const setup = workerData;
const shared = OnnxGraph.open(setup.modelDir, setup.graphPath, setup.options);
let solo;
async function run(graph, task) {
  const logits = await (await graph).run(task, task.padId);
  return { data: new Float32Array(logits.data), width: logits.width };
}
exports.__esModule = true;
exports.default = (task) => run(shared, task);
exports.solo = (task) => {
  solo ??= OnnxGraph.open(setup.modelDir, setup.graphPath, setup.soloOptions);
  return run(solo, task);
};
`,
  );
  return file;
}

/** Heavy-graph runs on piscina, with WorkerPoolRunner's depth and solo session. */
class PiscinaRunner implements Pick<ModelRunner, 'run' | 'release'> {
  private inFlight = 0;
  private soloThread: number | undefined;
  private readonly pool: Piscina;

  constructor(setup: WorkerSetup, filename: string) {
    this.pool = new Piscina({
      filename,
      minThreads: WORKERS,
      maxThreads: WORKERS,
      concurrentTasksPerWorker: DEPTH,
      idleTimeout: Number.POSITIVE_INFINITY,
      workerData: setup,
      atomics: ATOMICS,
      loadBalancer: (task, workers) => {
        if (task.name === 'solo') {
          const thread =
            workers.find((worker) => worker.id === this.soloThread) ??
            workers.find((worker) => worker.currentUsage === 0);
          this.soloThread = thread?.id;
          return thread ?? null;
        }
        let best = null;
        for (const worker of workers) {
          if (worker.currentUsage >= DEPTH) continue;
          if (best === null || worker.currentUsage < best.currentUsage) best = worker;
        }
        return best;
      },
    });
  }

  async run(
    rows: readonly (readonly number[])[],
    padId: number,
    typeStarts?: readonly (number | undefined)[],
  ): Promise<Logits> {
    const packed = packRows(rows, typeStarts);
    const name = this.inFlight === 0 ? 'solo' : 'default';
    this.inFlight++;
    try {
      return (await this.pool.run(
        { ...packed, padId },
        // packRows allocates plain ArrayBuffers, never shared ones.
        {
          name,
          transferList: [packed.ids.buffer as ArrayBuffer, packed.lengths.buffer as ArrayBuffer],
        },
      )) as Logits;
    } finally {
      this.inFlight--;
    }
  }

  release(): Promise<void> {
    // Never destroy(): terminating a thread inside an ONNX Runtime call aborts the process.
    return this.pool.close({ force: true });
  }
}

type Runner = Pick<ModelRunner, 'run' | 'release'>;

function rowsOf(count: number, length: number, seed: number): number[][] {
  return Array.from({ length: count }, (_, row) =>
    Array.from({ length }, (_, at) => 100 + ((seed * 31 + row * 7 + at * 13) % 5000)),
  );
}

/** Mean ms of a lone one-text run. */
async function lone(runner: Runner, runs: number): Promise<number> {
  const started = performance.now();
  for (let index = 0; index < runs; index++) await runner.run(rowsOf(1, 24, index), 0);
  return (performance.now() - started) / runs;
}

/** Texts per second with IN_FLIGHT runs of 8 texts × 64 tokens always in flight. */
async function loaded(runner: Runner): Promise<number> {
  const until = performance.now() + SECONDS * 1000;
  let texts = 0;
  const client = async (id: number): Promise<void> => {
    for (let index = 0; performance.now() < until; index++) {
      await runner.run(rowsOf(8, 64, id * 100000 + index), 0);
      texts += 8;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, (_, id) => client(id)));
  return texts / ((performance.now() - started) / 1000);
}

const median = (list: readonly number[]): number => {
  const sorted = [...list].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function compare(model: string, runtime: string, piscinaWorker: string): Promise<void> {
  const modelDir = join(COMBINED_MODELS_DIR, model);
  const graphPath = findGraphFile(modelDir, 'fp32');
  if (graphPath === undefined) throw new Error(`${modelDir} has no model.onnx`);
  const plan = planSessions({
    executionProviders: ['cpu'],
    workers: WORKERS,
    intraOpThreads: 0,
    interOpThreads: 0,
    cpu: cpuBudget(),
  });
  const setup: WorkerSetup = {
    modelDir,
    graphPath,
    options: plan.shared,
    soloOptions: plan.solo ?? plan.shared,
  };
  const hand = await WorkerPoolRunner.create(modelDir, graphPath, plan.shared, {
    size: WORKERS,
    depth: DEPTH,
    soloOptions: setup.soloOptions,
    script: join(runtime, 'onnx-worker.js'),
  });
  const pooled = new PiscinaRunner(setup, piscinaWorker);
  const runners: Record<string, Runner> = { WorkerPoolRunner: hand, piscina: pooled };
  const results: Record<string, { lone: number[]; loaded: number[] }> = {
    WorkerPoolRunner: { lone: [], loaded: [] },
    piscina: { lone: [], loaded: [] },
  };
  // Warm every session (the solo ones included) before timing.
  for (const runner of Object.values(runners)) {
    await lone(runner, 5);
    await Promise.all(
      Array.from({ length: WORKERS * DEPTH }, () => runner.run(rowsOf(4, 32, 1), 0)),
    );
  }
  const loneRuns = model === 'spam-en' ? 400 : 60;
  for (let round = 0; round < ROUNDS; round++) {
    const order =
      round % 2 === 0 ? ['WorkerPoolRunner', 'piscina'] : ['piscina', 'WorkerPoolRunner'];
    for (const name of order) {
      results[name].lone.push(await lone(runners[name], loneRuns));
      results[name].loaded.push(await loaded(runners[name]));
    }
  }
  await Promise.all(Object.values(runners).map((runner) => runner.release()));
  // Paired by round: both pools saw the same neighbours, so the ratio is steadier than either.
  const ratios = (key: 'lone' | 'loaded') =>
    results.piscina[key].map((value, round) => value / results.WorkerPoolRunner[key][round]);
  for (const [name, result] of Object.entries(results)) {
    console.log(
      `${model.padEnd(10)} ${name.padEnd(16)} lone run ${median(result.lone).toFixed(3)} ms, ` +
        `c=${IN_FLIGHT} ${median(result.loaded).toFixed(0)} texts/s (medians; rounds ` +
        `${result.lone.map((ms) => ms.toFixed(2)).join(' ')} ms, ` +
        `${result.loaded.map((rate) => rate.toFixed(0)).join(' ')} texts/s)`,
    );
  }
  console.log(
    `${model.padEnd(10)} piscina / WorkerPoolRunner, median of per-round ratios: lone run time ` +
      `×${median(ratios('lone')).toFixed(2)}, c=${IN_FLIGHT} throughput ×${median(ratios('loaded')).toFixed(2)}`,
  );
}

async function main(): Promise<void> {
  const runtime = values.runtime;
  console.log(
    `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpuBudget().cores} cores; ${WORKERS} workers × depth ${DEPTH}; piscina atomics ${ATOMICS}`,
  );
  const piscinaWorker = writePiscinaWorker(runtime);
  for (const model of values.models.split(',')) await compare(model, runtime, piscinaWorker);
}

void main();
