import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explainCudaFailure } from './cuda-diagnosis';

const LOAD_FAILURE = 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library';

/** One line of /proc/self/maps for a library mapped from `path`. */
function mapsLine(path: string): string {
  return `7f46e8600000-7f46e8680000 r-xp 00000000 fe:00 260131                     ${path}`;
}

describe(explainCudaFailure.name, () => {
  let coreDir: string;

  beforeEach(() => {
    coreDir = mkdtempSync(join(tmpdir(), 'sift-cuda-diagnosis-'));
    writeFileSync(join(coreDir, 'libonnxruntime.so.1'), '');
  });

  afterEach(() => {
    rmSync(coreDir, { recursive: true, force: true });
  });

  it('tells to run gpu:install when no provider sits beside the loaded core library', () => {
    const maps = ['/usr/lib/libc.so.6', join(coreDir, 'libonnxruntime.so.1')].map(mapsLine);
    expect(explainCudaFailure(LOAD_FAILURE, () => maps.join('\n'))).toBe(
      `libonnxruntime_providers_cuda.so is not installed beside ${join(coreDir, 'libonnxruntime.so.1')}: run \`npm run gpu:install\` (docs/gpu.md)`,
    );
  });

  it('names the CUDA and cuDNN libraries when the provider is installed but did not load', () => {
    writeFileSync(join(coreDir, 'libonnxruntime_providers_cuda.so'), '');
    const maps = mapsLine(join(coreDir, 'libonnxruntime.so.1'));
    expect(explainCudaFailure(LOAD_FAILURE, () => maps)).toMatch(
      new RegExp(
        `^libonnxruntime_providers_cuda.so is installed in ${coreDir} but did not load: .*CUDA 13 and cuDNN 9`,
      ),
    );
  });

  it('finds the core library this process really loaded in its memory map', () => {
    // The Jest environment has loaded onnxruntime-node, so its core library is mapped here.
    expect(explainCudaFailure(LOAD_FAILURE)).toMatch(/onnxruntime-node\/bin\/napi-v6\/linux\/x64/);
  });

  it('says nothing about failures other than a library that did not load', () => {
    const maps = mapsLine(join(coreDir, 'libonnxruntime.so.1'));
    expect(
      explainCudaFailure('CUDA failure 100: no CUDA-capable device is detected', () => maps),
    ).toBeUndefined();
  });

  it('says nothing when no ONNX Runtime core library is mapped or there is no memory map', () => {
    expect(explainCudaFailure(LOAD_FAILURE, () => mapsLine('/usr/lib/libc.so.6'))).toBeUndefined();
    expect(
      explainCudaFailure(LOAD_FAILURE, () => {
        throw new Error('ENOENT: /proc/self/maps');
      }),
    ).toBeUndefined();
  });
});
