import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuBudget } from '../src/modules/inference/runtime/cpu-budget';
import type { BenchResult, ScenarioResult } from './bench-result';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The smoke run is seconds of load, but it may have to build dist/ first. */
const HARNESS_LIMIT_MS = 300_000;

interface HarnessRun {
  readonly code: number | null;
  readonly output: string;
}

function runHarness(args: readonly string[]): Promise<HarnessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'bench', 'run.ts'), ...args],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, NODE_OPTIONS: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGINT'), HARNESS_LIMIT_MS - 10_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

// Keeps the harness working in CI; speed is not asserted here (see docs/performance.md).
describe('bench harness (--smoke)', () => {
  let workDir: string;
  let run: HarnessRun;
  let result: BenchResult;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'sift-bench-spec-'));
    const outFile = join(workDir, 'result.json');
    run = await runHarness(['--smoke', '--out', outFile]);
    if (run.code === 0) result = JSON.parse(readFileSync(outFile, 'utf8')) as BenchResult;
  }, HARNESS_LIMIT_MS);

  afterAll(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  it('exits 0 and prints the table and the targets', () => {
    // The output's tail says why, when the harness fails.
    if (run.code !== 0) throw new Error(`bench exited ${run.code}:\n${run.output.slice(-3000)}`);
    expect(run.output).toContain('req/s');
    expect(run.output).toContain('Ratios and targets');
  });

  it('writes a result with the run, machine and every reference', () => {
    expect(result).toMatchObject({ schemaVersion: 1, mode: 'smoke' });
    expect(result.machine.cpus).toBeGreaterThan(0);
    const targets = new Set(result.scenarios.map((row: ScenarioResult) => row.target));
    expect(targets).toEqual(new Set(['sift', 'naive-peer', 'bare-fastify', 'minimal-peer']));
    expect(result.ceilings).toEqual([
      expect.objectContaining({ model: 'spam-en', textsPerSecond: expect.any(Number) }),
    ]);
    expect(result.targets.length).toBeGreaterThan(0);
  });

  it('measures Sift on distinct and repeated texts at c=1 and c=8', () => {
    const sift = result.scenarios
      .filter((row: ScenarioResult) => row.target === 'sift')
      .map((row: ScenarioResult) => `${row.workload}@${row.concurrency}`);
    expect(sift.sort()).toEqual(['distinct@1', 'distinct@8', 'hits@1', 'hits@8']);
  });

  it('gets answers, all of them successful, in every scenario', () => {
    for (const row of result.scenarios) {
      expect({
        scenario: `${row.target} ${row.workload} c=${row.concurrency}`,
        errors: row.errors,
      }).toEqual({
        scenario: `${row.target} ${row.workload} c=${row.concurrency}`,
        errors: 0,
      });
      expect(row.requests).toBeGreaterThan(0);
      expect(row.requestsPerSecond).toBeGreaterThan(0);
      expect(row.latencyMs.p50).toBeGreaterThan(0);
      expect(row.latencyMs.p99).toBeGreaterThanOrEqual(row.latencyMs.p50);
    }
    expect(result.ceilings[0].textsPerSecond).toBeGreaterThan(0);
  });

  it('reads the server process: CPU, RSS, and batch sizes from /metrics', () => {
    const sift = result.scenarios.filter((row: ScenarioResult) => row.target === 'sift');
    for (const row of sift) {
      expect(row.serverCpuPercent).toBeGreaterThan(0);
      expect(row.peakRssMiB).toBeGreaterThan(0);
    }
    const distinct = sift.filter((row: ScenarioResult) => row.workload === 'distinct');
    for (const row of distinct) expect(row.meanBatchSize).toBeGreaterThanOrEqual(1);
  });

  it('records where the model ran and its memory', () => {
    // spam-en is a light graph: no worker threads; under load the tokenizer threads run it,
    // unless there are none (TOKENIZER_THREADS=0, or auto on a machine with one core).
    const threads = result.footprints[0]?.tokenizerThreads;
    const hasThreads = threads === 'auto' ? cpuBudget().cores >= 2 : Number(threads) > 0;
    expect(result.footprints).toEqual([
      expect.objectContaining({
        model: 'spam-en',
        workers: 0,
        placement: hasThreads ? 'tokenizer-threads' : 'event-loop',
        tokenizerThreads: expect.any(String),
      }),
    ]);
    expect(result.footprints[0].rssIdleMiB).toBeGreaterThan(0);
    expect(result.footprints[0].rssPeakMiB).toBeGreaterThan(0);
    expect(run.output).toContain(
      hasThreads
        ? 'spam-en: in the tokenizer threads under load'
        : 'spam-en: sessions on the event loop',
    );
  });
});
