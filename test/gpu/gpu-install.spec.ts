import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/test-app';
import { ORT_BINARY_DIR, providerTarball, runGpuInstall } from './gpu-stage';

const PROVIDER = 'com.github.asus4.onnxruntime.linux-x64-gpu';
const REPO_ORT = join(REPO_ROOT, 'node_modules', 'onnxruntime-node');

/** The stderr of a gpu-install run that must exit 1. */
function refusal(args: readonly string[]): string {
  try {
    runGpuInstall(args);
  } catch (error) {
    const failed = error as { status: number; stderr: string };
    expect(failed.status).toBe(1);
    return failed.stderr;
  }
  throw new Error(`gpu-install ${args.join(' ')} succeeded`);
}

/** An onnxruntime-node folder with the package manifest and the linux/x64 binaries. */
function ortCopy(root: string, version = '1.29.0', core = join(REPO_ORT, ORT_BINARY_DIR)): string {
  const dir = join(root, 'onnxruntime-node');
  mkdirSync(join(dir, ORT_BINARY_DIR), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'onnxruntime-node', version }));
  for (const file of readdirSync(core)) {
    copyFileSync(join(core, file), join(dir, ORT_BINARY_DIR, file));
  }
  return dir;
}

/** A gzipped tarball laid out like an npm package: package/package.json and `files`. */
function fakeTarball(root: string, name: string, files: Record<string, string>): string {
  const dir = join(root, `fake-${name}`);
  for (const [path, content] of Object.entries({
    'package/package.json': JSON.stringify({ name, version: '0.4.9' }),
    ...files,
  })) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  const tarball = join(root, `${name}.tgz`);
  execFileSync('tar', ['-czf', tarball, '-C', dir, 'package']);
  return tarball;
}

describe('scripts/gpu-install.mjs', () => {
  let root: string;
  let tarball: string;

  beforeAll(() => {
    // npm pack on the first run in this checkout (≈180 MB), the cached file after.
    tarball = providerTarball();
  }, 300_000);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sift-gpu-install-'));
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('installs the shared and CUDA provider libraries, and --check then accepts them', () => {
    const ortDir = ortCopy(root);

    const output = runGpuInstall(['--ort-dir', ortDir, '--from', tarball]);

    expect(output).toContain("installed ONNX Runtime 1.29.0's CUDA provider");
    expect(readdirSync(join(ortDir, ORT_BINARY_DIR)).sort()).toEqual([
      'libonnxruntime.so.1',
      'libonnxruntime_providers_cuda.so',
      'libonnxruntime_providers_shared.so',
      'onnxruntime_binding.node',
    ]);
    expect(runGpuInstall(['--ort-dir', ortDir, '--check'])).toContain(
      'matches ONNX Runtime 1.29.0',
    );
  }, 120_000);

  it('refuses a provider from another ONNX Runtime release than the core library', () => {
    // A core library of release 1.30.0, as the linker script marks it (VERS_1.30.0).
    const core = join(root, 'core-1.30');
    mkdirSync(core);
    writeFileSync(join(core, 'libonnxruntime.so.1'), '\x7fELF\0OrtGetApiBase\0VERS_1.30.0\0');
    const ortDir = ortCopy(root, '1.30.0', core);

    const stderr = refusal(['--ort-dir', ortDir, '--from', tarball]);

    expect(stderr).toContain(
      `refused: the CUDA provider in ${PROVIDER}@0.4.9 is ONNX Runtime 1.29.0, but onnxruntime-node's core library is ONNX Runtime 1.30.0: both must come from the same release`,
    );
    expect(stderr).toContain('install onnxruntime-node@1.29.0');
    expect(existsSync(join(ortDir, ORT_BINARY_DIR, 'libonnxruntime_providers_cuda.so'))).toBe(
      false,
    );
  }, 120_000);

  it('refuses a tarball that is not the bytes the registry published', () => {
    const forged = fakeTarball(root, PROVIDER, {
      'package/Plugins/Linux/x64/libonnxruntime_providers_cuda.so': '\x001.29.0\x00',
      'package/Plugins/Linux/x64/libonnxruntime_providers_shared.so': '',
    });

    expect(refusal(['--ort-dir', ortCopy(root), '--from', forged])).toContain(
      `is not the published ${PROVIDER}@0.4.9 (integrity sha512-`,
    );
  });

  it('refuses a tarball of another package than the one asked for', () => {
    const other = fakeTarball(root, 'some-other-package', {
      'package/Plugins/Linux/x64/libonnxruntime_providers_cuda.so': '',
      'package/Plugins/Linux/x64/libonnxruntime_providers_shared.so': '',
    });

    expect(refusal(['--ort-dir', ortCopy(root), '--from', other])).toContain(
      `holds some-other-package@0.4.9, not ${PROVIDER}@0.4.9`,
    );
  });

  it('--check fails, naming the missing libraries, where none was installed', () => {
    expect(refusal(['--ort-dir', ortCopy(root), '--check'])).toContain(
      'not installed in ' +
        `${join(root, 'onnxruntime-node', ORT_BINARY_DIR)}: libonnxruntime_providers_shared.so, libonnxruntime_providers_cuda.so`,
    );
  });

  it('refuses an onnxruntime-node whose core library is not the release its package names', () => {
    expect(refusal(['--ort-dir', ortCopy(root, '1.28.0'), '--check'])).toContain(
      'is ONNX Runtime 1.29.0 but the package says 1.28.0',
    );
  });
});
