import { parentPort, workerData } from 'node:worker_threads';
import { ModelLoadError } from '../inference.errors';
import { OnnxGraph } from './onnx-graph';
import type { FromWorker, ToWorker, WorkerFailure, WorkerSetup } from './worker-protocol';

/**
 * Entry point of an inference worker thread: owns one ONNX Runtime session and runs the
 * batches WorkerPoolRunner sends. onnxruntime-node's `run` blocks the thread it is called on,
 * so here it blocks this thread instead of the server's event loop.
 */
function toFailure(error: unknown): WorkerFailure {
  if (error instanceof ModelLoadError) {
    return { message: error.message, file: error.file, problem: error.problem };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}

async function serve(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('onnx-worker must run as a worker thread');
  const post = (message: FromWorker, transfer: ArrayBuffer[] = []): void =>
    port.postMessage(message, transfer);
  const setup = workerData as WorkerSetup;

  let graph: OnnxGraph;
  let solo: OnnxGraph | undefined;
  try {
    graph = await OnnxGraph.open(setup.modelDir, setup.graphPath, setup.options);
    if (setup.soloOptions !== undefined) {
      solo = await OnnxGraph.open(setup.modelDir, setup.graphPath, setup.soloOptions);
    }
  } catch (error) {
    post({ type: 'load-failed', failure: toFailure(error) });
    return;
  }
  post({ type: 'ready', provider: graph.provider, fallbacks: graph.fallbacks });

  port.on('message', (message: ToWorker) => {
    if (message.type === 'release') {
      void Promise.all([graph.release(), solo?.release()]).finally(() => {
        post({ type: 'released' });
        port.close();
      });
      return;
    }
    const session = message.solo && solo !== undefined ? solo : graph;
    const rows = { ids: message.ids, lengths: message.lengths, typeStarts: message.typeStarts };
    session.run(rows, message.padId).then(
      (logits) => {
        // ONNX Runtime owns the output's memory; a copy is small (rows × labels) and movable.
        const data = new Float32Array(logits.data);
        post({ type: 'result', id: message.id, data, width: logits.width }, [data.buffer]);
      },
      (error: unknown) => post({ type: 'failed', id: message.id, failure: toFailure(error) }),
    );
  });
}

void serve();
