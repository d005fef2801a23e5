import { Worker } from 'node:worker_threads';
import { ModelLoadError } from '../inference.errors';
import type { FromWorker, WorkerFailure, WorkerSetup } from './worker-protocol';

// Starting one onnx-worker thread and its load handshake, for WorkerPoolRunner.

export interface StartedWorker {
  readonly thread: Worker;
  readonly provider: string;
  readonly fallbacks: readonly string[];
}

/** Starts one worker and resolves when its session is open; rejects with the load error. */
export function startWorker(setup: WorkerSetup, script: string): Promise<StartedWorker> {
  return new Promise<StartedWorker>((resolve, reject) => {
    const thread = new Worker(script, { workerData: setup });
    const settle = (outcome: StartedWorker | Error): void => {
      thread.off('message', onMessage);
      thread.off('error', settle);
      thread.off('exit', onExit);
      if (outcome instanceof Error) {
        void thread.terminate();
        reject(outcome);
      } else {
        resolve(outcome);
      }
    };
    const onMessage = (message: FromWorker): void => {
      if (message.type === 'ready') {
        settle({ thread, provider: message.provider, fallbacks: message.fallbacks });
      } else if (message.type === 'load-failed') {
        settle(loadFailure(setup, message.failure));
      }
    };
    const onExit = (code: number): void =>
      settle(new Error(`Inference worker exited with code ${code} while loading`));
    thread.on('message', onMessage);
    thread.on('error', settle);
    thread.on('exit', onExit);
  });
}

function loadFailure(setup: WorkerSetup, failure: WorkerFailure): Error {
  if (failure.file !== undefined && failure.problem !== undefined) {
    return new ModelLoadError(setup.modelDir, failure.file, failure.problem);
  }
  return new Error(failure.message);
}
