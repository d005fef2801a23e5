import type { Worker } from 'node:worker_threads';
import { WorkerLostError } from '../inference.errors';
import type { Logits, ModelRunner } from './model-runner.interface';
import type { OnnxSessionOptions } from './onnx-graph';
import { packRows } from './packed-rows';
import type { FromWorker, ToWorker, WorkerSetup } from './worker-protocol';
import { startWorker } from './worker-start';

/**
 * How long `release()` waits for a worker to answer before terminating it anyway: only for a
 * thread that hangs. Terminating a thread while ONNX Runtime works in it aborts the whole
 * process (`terminate called after throwing an instance of 'Napi::Error'`: onnxruntime-node's
 * calls into a terminating V8 throw where nothing can catch), so a worker is terminated only
 * once it has said its session is released, between runs; a run in progress is waited for.
 */
const RELEASE_HANG_MS = 10 * 60_000;

export interface WorkerPoolOptions {
  /** Sessions, one per worker thread. */
  readonly size: number;
  /**
   * Runs handed to one worker at a time. Above 1, the next batch already waits in the
   * worker's own queue when a run ends, so the session never idles for a round trip through
   * the event loop (which, on a busy machine, may not be scheduled for a while).
   */
  readonly depth: number;
  /**
   * Options of an extra session in the first worker, used for a run when nothing else is in
   * flight: at low load one run may use every core (lowest latency), while under load the
   * workers' own sessions run side by side with fewer threads each (most throughput).
   */
  readonly soloOptions?: OnnxSessionOptions;
  /** The compiled onnx-worker entry point. */
  readonly script: string;
  /** Told when a worker dies and is being replaced (the replacement loads the model again). */
  readonly onWorkerLost?: (reason: string) => void;
}

interface PendingRun {
  readonly resolve: (logits: Logits) => void;
  readonly reject: (error: Error) => void;
}

interface PoolWorker {
  readonly thread: Worker;
  /** Runs sent to this worker and not answered yet, by run id. */
  readonly pending: Map<number, PendingRun>;
  /** Set once the worker was asked to release or has exited: it takes no more runs. */
  closing: boolean;
  readonly hasSolo: boolean;
}

interface QueuedRun extends PendingRun {
  readonly message: Extract<ToWorker, { type: 'run' }>;
  readonly transfer: ArrayBuffer[];
}

/**
 * Runs batches on a pool of worker threads, each with its own ONNX Runtime session of the
 * model, so inference never blocks the event loop and several runs can overlap. A worker
 * that dies fails its run and is replaced.
 *
 * Hand-written, beside the piscina pool of TokenizerPool, on purpose: Sift has two thread
 * mechanisms because piscina lacks two things a heavy graph's pool needs. (1) A per-thread load
 * handshake: `create` resolves only once every thread has opened its session, learns the
 * provider in use and the fallbacks, and fails with the ModelLoadError naming the file. piscina
 * marks its first threads ready before they load anything; a thread module that throws is only
 * an 'error' event, no longer a ModelLoadError; a first thread is respawned to fail again, and
 * a replacement's failure stops piscina replacing that pool's threads at all
 * (`workerFailsDuringBootstrap`), so a pool could shrink to none while runs queue. Here a
 * failed replacement is logged, and queued runs fail when no worker is left. (2) Addressing
 * every thread once: `release` has each thread finish its run and free its session before it
 * is terminated (never mid-run: see RELEASE_HANG_MS); piscina routes tasks one at a time through its balancer and
 * `destroy()` terminates threads outright. Depth and the solo session do map onto piscina
 * (`concurrentTasksPerWorker`, a loadBalancer keyed on the task's name), and speed is no reason
 * either way: bench/worker-pools.ts, 2-vCPU AMD EPYC shared with other jobs (load ~12), 8
 * alternating rounds, piscina ÷ this pool: bert-bench 8 × 64-token runs at c=8, throughput
 * ×0.91 and ×0.96 (piscina's default `atomics: 'sync'`), ×1.02 and ×1.13 (`'async'`); a lone
 * run's time ×1.25–1.50 (×0.79 once); spam-en, where the hop is most of a run, lone ×1.46
 * (sync) and ×4.63 (async), c=8 ×0.85 both.
 */
export class WorkerPoolRunner implements ModelRunner {
  private readonly all = new Set<PoolWorker>();
  private readonly waiting: QueuedRun[] = [];
  private nextRunId = 0;
  private released = false;

  private constructor(
    private readonly setup: WorkerSetup,
    private readonly pool: WorkerPoolOptions,
    readonly provider: string,
    readonly fallbacks: readonly string[],
  ) {}

  /** Starts every worker and waits until each has loaded the graph; the first failure wins. */
  static async create(
    modelDir: string,
    graphPath: string,
    options: OnnxSessionOptions,
    pool: WorkerPoolOptions,
  ): Promise<WorkerPoolRunner> {
    const setup: WorkerSetup = { modelDir, graphPath, options };
    const started = await Promise.allSettled(
      Array.from({ length: Math.max(1, pool.size) }, (_, index) =>
        startWorker(index === 0 ? withSolo(setup, pool) : setup, pool.script),
      ),
    );
    const workers = started.flatMap((outcome) =>
      outcome.status === 'fulfilled' ? [outcome.value] : [],
    );
    const failed = started.find((outcome) => outcome.status === 'rejected');
    if (failed !== undefined) {
      await Promise.all(workers.map(({ thread }) => thread.terminate()));
      throw failed.reason;
    }
    const { provider, fallbacks } = workers[0];
    const runner = new WorkerPoolRunner(setup, pool, provider, fallbacks);
    workers.forEach(({ thread }, index) => runner.adopt(thread, index === 0 && hasSolo(pool)));
    return runner;
  }

  get workers(): number {
    return this.pool.size;
  }

  get parallelism(): number {
    return this.pool.size * this.pool.depth;
  }

  run(
    rows: readonly (readonly number[])[],
    padId: number,
    typeStarts?: readonly (number | undefined)[],
  ): Promise<Logits> {
    if (this.released) return Promise.reject(new Error('The model runner has been released'));
    const { ids, lengths, typeStarts: starts } = packRows(rows, typeStarts);
    return new Promise<Logits>((resolve, reject) => {
      const soloWorker = this.idleSoloWorker();
      const queued: QueuedRun = {
        message: {
          type: 'run',
          id: this.nextRunId++,
          ids,
          lengths,
          typeStarts: starts,
          padId,
          solo: soloWorker !== undefined,
        },
        transfer: [ids, lengths, starts].flatMap((array) =>
          array === undefined ? [] : [array.buffer as ArrayBuffer],
        ),
        resolve,
        reject,
      };
      const worker = soloWorker ?? this.leastBusy();
      if (worker === undefined) this.waiting.push(queued);
      else this.dispatch(worker, queued);
    });
  }

  /** Frees every session; runs still queued are failed. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    for (const queued of this.waiting.splice(0)) {
      queued.reject(new Error('The model runner has been released'));
    }
    await Promise.all([...this.all].map((worker) => this.retire(worker)));
  }

  /** The worker with the solo session, when no run at all is in flight. */
  private idleSoloWorker(): PoolWorker | undefined {
    let solo: PoolWorker | undefined;
    for (const worker of this.all) {
      if (worker.pending.size > 0) return undefined;
      if (worker.hasSolo && !worker.closing) solo = worker;
    }
    return solo;
  }

  /** The open worker with the fewest runs, if it can take another. */
  private leastBusy(): PoolWorker | undefined {
    let best: PoolWorker | undefined;
    for (const worker of this.all) {
      if (worker.closing) continue;
      if (best === undefined || worker.pending.size < best.pending.size) best = worker;
    }
    return best !== undefined && best.pending.size < this.pool.depth ? best : undefined;
  }

  private dispatch(worker: PoolWorker, queued: QueuedRun): void {
    worker.pending.set(queued.message.id, { resolve: queued.resolve, reject: queued.reject });
    // Only a worker with runs in flight keeps the process alive.
    if (worker.pending.size === 1) worker.thread.ref();
    worker.thread.postMessage(queued.message, queued.transfer);
  }

  private adopt(thread: Worker, solo: boolean): void {
    const worker: PoolWorker = { thread, pending: new Map(), closing: false, hasSolo: solo };
    this.all.add(worker);
    thread.on('message', (message: FromWorker) => this.onMessage(worker, message));
    thread.on('error', (error) => this.onLost(worker, `it threw ${error.message}`));
    thread.on('exit', (code) => this.onLost(worker, `it exited with code ${code}`));
    this.becomeIdle(worker);
  }

  private onMessage(worker: PoolWorker, message: FromWorker): void {
    if (message.type !== 'result' && message.type !== 'failed') return;
    const pending = worker.pending.get(message.id);
    worker.pending.delete(message.id);
    if (message.type === 'result') {
      pending?.resolve({ data: message.data, width: message.width });
    } else {
      pending?.reject(new Error(message.failure.message));
    }
    if (!worker.closing) this.becomeIdle(worker);
  }

  /** Hands the worker queued runs up to its depth; unrefs it when it has none. */
  private becomeIdle(worker: PoolWorker): void {
    while (worker.pending.size < this.pool.depth) {
      const next = this.waiting.shift();
      if (next === undefined) break;
      this.dispatch(worker, next);
    }
    if (worker.pending.size === 0) worker.thread.unref();
  }

  /** A worker died (a crash in native code would take the process, but a JS error does not). */
  private onLost(worker: PoolWorker, reason: string): void {
    if (!this.all.delete(worker)) return;
    const wasClosing = worker.closing;
    worker.closing = true;
    const message = `Inference worker for ${this.setup.modelDir} stopped: ${reason}`;
    for (const pending of worker.pending.values()) pending.reject(new WorkerLostError(message));
    worker.pending.clear();
    if (wasClosing || this.released) return;
    this.pool.onWorkerLost?.(`${message}; starting a replacement`);
    const setup = worker.hasSolo ? withSolo(this.setup, this.pool) : this.setup;
    void startWorker(setup, this.pool.script).then(
      ({ thread }) => {
        if (this.released) void thread.terminate();
        else this.adopt(thread, worker.hasSolo);
      },
      (error: Error) => {
        this.pool.onWorkerLost?.(
          `Replacing a worker for ${this.setup.modelDir} failed: ${error.message}`,
        );
        // With no worker left, queued runs would wait forever.
        if (this.all.size === 0) {
          for (const queued of this.waiting.splice(0)) queued.reject(error);
        }
      },
    );
  }

  private async retire(worker: PoolWorker): Promise<void> {
    worker.closing = true;
    const { thread } = worker;
    const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
    const freed = new Promise<void>((resolve) =>
      thread.on('message', (message: FromWorker) => {
        if (message.type === 'released') resolve();
      }),
    );
    thread.postMessage({ type: 'release' } satisfies ToWorker);
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, RELEASE_HANG_MS);
      // A bound on a broken thread, never a reason for the process to stay up.
      timer.unref();
    });
    await Promise.race([freed, exited, hung]);
    clearTimeout(timer);
    await thread.terminate();
  }
}

function hasSolo(pool: WorkerPoolOptions): boolean {
  return pool.soloOptions !== undefined;
}

function withSolo(setup: WorkerSetup, pool: WorkerPoolOptions): WorkerSetup {
  return pool.soloOptions === undefined ? setup : { ...setup, soloOptions: pool.soloOptions };
}
