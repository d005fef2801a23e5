import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Where the compiled onnx-worker entry point is. `nest build` puts it beside this file
 * (dist/modules/inference/runtime/onnx-worker.js); runs from TypeScript sources as ES modules
 * (the test suite) have no compiled file there and must name one in INFERENCE_WORKER_SCRIPT.
 */
export function resolveWorkerScript(configured: string | undefined): string {
  const script =
    configured ?? (typeof __dirname === 'string' ? join(__dirname, 'onnx-worker.js') : undefined);
  if (script === undefined) {
    throw new Error(
      'INFERENCE_WORKER_SCRIPT must name the compiled inference worker when Sift runs as ES modules',
    );
  }
  if (!existsSync(script)) {
    throw new Error(
      `The inference worker ${script} does not exist: run \`npm run build\`, set INFERENCE_WORKER_SCRIPT, or set INFERENCE_WORKERS=0`,
    );
  }
  return script;
}

/** The tokenizer thread's entry point: compiled beside the inference worker's. */
export function resolveTokenizerWorkerScript(configured: string | undefined): string {
  const script = join(dirname(resolveWorkerScript(configured)), 'tokenizer-worker.js');
  if (!existsSync(script)) {
    throw new Error(
      `The tokenizer worker ${script} does not exist: run \`npm run build\`, or set TOKENIZER_THREADS=0`,
    );
  }
  return script;
}
