import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const CORE_LIBRARY = 'libonnxruntime.so.1';
const CUDA_PROVIDER = 'libonnxruntime_providers_cuda.so';
// onnxruntime-node's whole message when ONNX Runtime could not dlopen a provider library.
const LOAD_FAILURE = 'Failed to load shared library';

/**
 * What an operator can do when the CUDA provider failed to load. onnxruntime-node reports the
 * same words whether the provider libraries are absent or present without the CUDA libraries
 * they link to; ONNX Runtime looks for them beside the core library it loaded, which the
 * process's memory map names. Undefined for any other failure (e.g. no GPU visible).
 */
export function explainCudaFailure(
  message: string,
  memoryMap: () => string = () => readFileSync('/proc/self/maps', 'utf8'),
): string | undefined {
  if (!message.includes(LOAD_FAILURE)) return undefined;
  let coreDir: string | undefined;
  try {
    coreDir = loadedCoreDir(memoryMap());
  } catch {
    return undefined; // no /proc (not Linux): the hint is a courtesy, the fallback goes on
  }
  if (coreDir === undefined) return undefined;
  if (!existsSync(join(coreDir, CUDA_PROVIDER))) {
    return `${CUDA_PROVIDER} is not installed beside ${join(coreDir, CORE_LIBRARY)}: run \`npm run gpu:install\` (docs/gpu.md)`;
  }
  return `${CUDA_PROVIDER} is installed in ${coreDir} but did not load: it needs an NVIDIA driver and the CUDA 13 and cuDNN 9 libraries on the library path (ONNX Runtime's own error line names the missing one)`;
}

function loadedCoreDir(memoryMap: string): string | undefined {
  for (const line of memoryMap.split('\n')) {
    const path = line.slice(line.indexOf('/'));
    if (line.includes('/') && basename(path) === CORE_LIBRARY) return dirname(path);
  }
  return undefined;
}
