import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  freePort,
  waitUntilReady,
  type ChildProcesses,
  type ManagedChild,
} from './child-processes';
import { COMBINED_MODELS_DIR, linkCombinedModels } from '../tools/common/model-dirs';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Shipped and generated models side by side (generated ones live outside ./models). */
export const MODELS_DIR = COMBINED_MODELS_DIR;
const SERVER_READY_TIMEOUT_MS = 180_000;
/** CPU profiles of `--profile` runs (git-ignored: *.cpuprofile). */
export const PROFILES_DIR = join(REPO_ROOT, 'bench', 'results', 'profiles');

/** A server the harness started and may load: always on 127.0.0.1. */
export interface RunningServer {
  readonly child: ManagedChild;
  readonly baseUrl: string;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (!entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when it is missing or older than src/ (specs excluded: they are not built). */
export function ensureBuild(log: (message: string) => void): void {
  const entry = join(REPO_ROOT, 'dist', 'main.js');
  if (existsSync(entry) && statSync(entry).mtimeMs >= newestMtime(join(REPO_ROOT, 'src'))) return;
  log('building dist/ (npm run build): the sources are newer than the last build');
  const build = spawnSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 2, 2] });
  if (build.status !== 0) throw new Error(`npm run build failed (exit ${build.status})`);
}

export function modelDir(model: string): string {
  return join(MODELS_DIR, model);
}

function hasGraph(model: string): boolean {
  const dir = modelDir(model);
  return existsSync(join(dir, 'model.onnx')) || existsSync(join(dir, 'onnx', 'model.onnx'));
}

/** Generated benchmark models are built on demand; the shipped ones must be there. */
const GENERATORS: Readonly<Record<string, readonly string[]>> = {
  'bert-bench': ['run', 'models:bench'],
  'bert-bench-distilbert': ['run', 'models:bench', '--', '--preset', 'distilbert'],
};

export function ensureModel(model: string, log: (message: string) => void): void {
  linkCombinedModels();
  if (hasGraph(model)) return;
  const generator = GENERATORS[model];
  if (generator === undefined) {
    throw new Error(
      `models/${model} has no model.onnx: build it first (npm run models:build for spam-en)`,
    );
  }
  log(`generating ${model} (npm ${generator.join(' ')})`);
  const build = spawnSync('npm', generator, { cwd: REPO_ROOT, stdio: ['ignore', 2, 2] });
  linkCombinedModels();
  if (build.status !== 0 || !hasGraph(model)) {
    throw new Error(`npm ${generator.join(' ')} did not produce ${modelDir(model)}`);
  }
}

/**
 * Sift's environment in every benchmark: one model, no rate limiting, the in-memory cache only
 * (a REDIS_URL in the caller's environment is dropped so numbers do not depend on a network
 * hop), and the caller's tuning variables.
 */
export function siftEnvironment(
  port: number,
  model: string,
  cacheEnabled: boolean,
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    RATE_LIMIT: '0',
    LOG_LEVEL: 'warn',
    MODELS: model,
    MODELS_DIR,
    CACHE_ENABLED: String(cacheEnabled),
    REDIS_URL: '',
    DEFAULT_MODEL: '',
  };
}

/** The production server exactly as deployed (node dist/main.js): see siftEnvironment. */
export async function startSift(
  children: ChildProcesses,
  model: string,
  cacheEnabled: boolean,
  profile = false,
): Promise<RunningServer> {
  const port = await freePort();
  const env = siftEnvironment(port, model, cacheEnabled);
  // The profile is written when the process exits; Sift exits cleanly on SIGTERM.
  const profileArgs = profile ? ['--cpu-prof', '--cpu-prof-dir', PROFILES_DIR] : [];
  const child = children.start(
    `sift (${model})`,
    process.execPath,
    [...profileArgs, join(REPO_ROOT, 'dist', 'main.js')],
    env,
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntilReady(child, `${baseUrl}/ready`, SERVER_READY_TIMEOUT_MS);
  return { child, baseUrl };
}

/** A TypeScript reference server from bench/, run through tsx's loader in a plain node. */
export async function startReference(
  children: ChildProcesses,
  name: string,
  script: string,
  args: readonly string[],
): Promise<RunningServer> {
  const port = await freePort();
  const child = children.start(
    name,
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'bench', script), '--port', String(port), ...args],
    { ...process.env, NODE_ENV: 'production' },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntilReady(child, `${baseUrl}/ready`, SERVER_READY_TIMEOUT_MS);
  return { child, baseUrl };
}
