import type { CpuBudget } from './cpu-budget';
import type { OnnxSessionOptions } from './onnx-graph';

export interface SessionPlanInput {
  readonly executionProviders: readonly string[];
  /** Worker threads per model; 0 runs the session on the event loop. */
  readonly workers: number;
  /** ORT_INTRA_OP_THREADS: 0 means Sift decides. */
  readonly intraOpThreads: number;
  readonly interOpThreads: number;
  readonly cpu: CpuBudget;
}

export interface SessionPlan {
  /** Every worker's session (or the one on the event loop). */
  readonly shared: OnnxSessionOptions;
  /** The first worker's extra session for runs alone on the machine, when worth having. */
  readonly solo: OnnxSessionOptions | undefined;
}

/**
 * Thread counts for a model's sessions. Measured on bert-bench, 2 vCPUs, c=64: two workers
 * with one intra-op thread each served 85 texts/s, two with two threads each 73, one session
 * at a time 69; but a lone request on a one-thread session takes twice as long. So, unless
 * ORT_INTRA_OP_THREADS pins a count: workers split the cores between them, and the first
 * worker keeps a solo session with every core for runs that have the machine to themselves.
 */
export function planSessions(input: SessionPlanInput): SessionPlan {
  const { executionProviders, workers, intraOpThreads, interOpThreads, cpu } = input;
  // Always a count, never ONNX Runtime's own default (0): that one counts the host's cores,
  // which a container limit must cap, and on the 2-vCPU VM a lone bert-bench run on a session
  // left at the default took 23.7 ms where the same session with 2 threads took 19.2.
  const everyCore = cpu.cores;
  const base = { executionProviders, interOpThreads };
  if (workers === 0) {
    const intra = intraOpThreads > 0 ? intraOpThreads : everyCore;
    return { shared: { ...base, intraOpThreads: intra, allowSpinning: true }, solo: undefined };
  }
  // Sessions in worker threads share the cores with each other and the event loop: an idle
  // thread busy-waiting for work would take a core from one that has some.
  if (intraOpThreads > 0) {
    return {
      shared: { ...base, intraOpThreads, allowSpinning: false },
      solo: undefined,
    };
  }
  const perWorker = Math.max(1, Math.floor(cpu.cores / workers));
  const shared = {
    ...base,
    intraOpThreads: workers === 1 ? everyCore : perWorker,
    allowSpinning: false,
  };
  // The solo session runs only when nothing else does, so its threads may spin: waking them
  // for every operator made a lone bert-bench request 10-15% slower.
  const solo =
    workers > 1 && perWorker < cpu.cores
      ? { ...base, intraOpThreads: everyCore, allowSpinning: true }
      : undefined;
  return { shared, solo };
}
