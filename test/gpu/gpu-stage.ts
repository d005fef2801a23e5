import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '../helpers/processes';
import { REPO_ROOT } from '../helpers/test-app';

export const ORT_BINARY_DIR = join('bin', 'napi-v6', 'linux', 'x64');
const INSTALL_SCRIPT = join(REPO_ROOT, 'scripts', 'gpu-install.mjs');
// Shared by every test run in this checkout, so the 180 MB tarball is fetched once.
const TARBALL_CACHE = join(REPO_ROOT, 'node_modules', '.cache', 'sift-gpu');

/** Runs scripts/gpu-install.mjs; returns its output, or throws with it when it exits non-zero. */
export function runGpuInstall(args: readonly string[]): string {
  return execFileSync(process.execPath, [INSTALL_SCRIPT, '--cache-dir', TARBALL_CACHE, ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The provider package's tarball, fetched with `npm pack` on first use. */
export function providerTarball(): string {
  return runGpuInstall(['--download-only']).trim().split('\n').pop() ?? '';
}

/**
 * A deployment of the built app (dist/) in a folder of its own, with its own copy of
 * onnxruntime-node (linux/x64 binaries only) and every other package linked from the repo.
 * ONNX Runtime loads providers from its core library's folder, and a process can hold only
 * one library named libonnxruntime.so.1, so a test that equips a copy with the CUDA provider
 * must run the app in a process of its own, resolving that copy.
 */
export class StagedApp {
  private constructor(readonly dir: string) {}

  static create(): StagedApp {
    const staged = new StagedApp(mkdtempSync(join(tmpdir(), 'sift-gpu-stage-')));
    cpSync(join(REPO_ROOT, 'dist'), join(staged.dir, 'dist'), { recursive: true });
    const modules = join(REPO_ROOT, 'node_modules');
    mkdirSync(join(staged.dir, 'node_modules'));
    for (const entry of readdirSync(modules)) {
      if (entry === 'onnxruntime-node' || entry.startsWith('.')) continue;
      symlinkSync(join(modules, entry), join(staged.dir, 'node_modules', entry));
    }
    const ort = join(modules, 'onnxruntime-node');
    mkdirSync(join(staged.ortDir, ORT_BINARY_DIR), { recursive: true });
    copyFileSync(join(ort, 'package.json'), join(staged.ortDir, 'package.json'));
    cpSync(join(ort, 'dist'), join(staged.ortDir, 'dist'), { recursive: true });
    cpSync(join(ort, ORT_BINARY_DIR), join(staged.ortDir, ORT_BINARY_DIR), { recursive: true });
    return staged;
  }

  get ortDir(): string {
    return join(this.dir, 'node_modules', 'onnxruntime-node');
  }

  get binaryDir(): string {
    return join(this.ortDir, ORT_BINARY_DIR);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface RunningServer {
  readonly baseUrl: string;
  /** What the process wrote to stdout so far (Sift's JSON log lines). */
  stdout(): string;
  /** What the process wrote to stderr so far (ONNX Runtime's own log lines). */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Starts `node dist/main.js` of a staged app and waits until it is ready (all models loaded). Only the
 * variables given reach it (plus PATH): the test runner's INFERENCE_WORKER_SCRIPT would
 * point the workers at the repo's own onnxruntime-node.
 */
export async function startStagedServer(
  staged: StagedApp,
  env: Readonly<Record<string, string>>,
): Promise<RunningServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, ['dist/main.js'], {
    cwd: staged.dir,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null)
          throw new Error(`server exited with ${child.exitCode}:\n${stdout}${stderr}`);
        try {
          // Ready only once every model has loaded (GET /models lists them as they load).
          return (await fetch(`${baseUrl}/ready`)).ok;
        } catch {
          return false; // not listening yet
        }
      },
      'the staged server to load its models',
      120_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, stdout: () => stdout, stderr: () => stderr, stop };
}
