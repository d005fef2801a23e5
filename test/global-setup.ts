import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { writeEsmShims } from './jest/esm-shims';

/**
 * Runs once before all test files. A fresh clone has no bench model (it is git-ignored), so
 * it is built here; tsx runs the build tool in its own process, outside Jest's module system.
 */
export default function globalSetup(): void {
  writeEsmShims();
  execFileSync(
    process.execPath,
    [join(process.cwd(), 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'tools/ensure-bert-bench.ts'],
    { cwd: process.cwd(), stdio: 'inherit' },
  );
}
