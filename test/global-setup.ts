import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { socketTempRoot } from '../tools/common/socket-temp-dir';
import { removeAppVariables } from './jest/app-environment';
import { writeEsmShims } from './jest/esm-shims';
import { buildInferenceWorker } from './jest/inference-worker';

/**
 * Runs once before all test files. A fresh clone has no bench model (it is git-ignored), so
 * it is built here; tsx runs the build tool in its own process, outside Jest's module system.
 */
export default function globalSetup(): void {
  // Before anything reads the environment: the shell's app settings must not reach the tests.
  const ignored = removeAppVariables(process.env);
  if (ignored.length > 0) {
    console.log(
      `\nnpm test ignores ${ignored.join(', ')} from the environment (each test sets its own).`,
    );
  }
  writeEsmShims();
  // Seen by every test in this process (the suite runs in band), including createApp() callers
  // that read process.env as production does.
  process.env.INFERENCE_WORKER_SCRIPT = buildInferenceWorker();
  execFileSync(
    process.execPath,
    [join(process.cwd(), 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'tools/ensure-bert-bench.ts'],
    // tsx's CLI binds an IPC socket under TMPDIR; a long TMPDIR would not fit its path.
    { cwd: process.cwd(), stdio: 'inherit', env: { ...process.env, TMPDIR: socketTempRoot() } },
  );
}
