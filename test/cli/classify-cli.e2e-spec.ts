import { jest } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassificationPipeline } from '../../src/modules/classification/classification-pipeline.service';
import { ensureBuild, waitFor } from '../helpers/processes';
import { COMBINED_MODELS_DIR, REPO_ROOT, startTestApp, type TestApp } from '../helpers/test-app';

const ROWS = 20_000;
const MAX_TEXT_CHARS = 200;

/** Input line `i` (from 0) and whether it must land in the errors file. */
function inputLine(i: number): { line: string; bad: boolean } {
  switch (i % 250) {
    case 17:
      return { line: '{"id": "broken', bad: true };
    case 71:
      return { line: JSON.stringify({ id: `t${i}` }), bad: true };
    case 123:
      return {
        line: JSON.stringify({ id: `t${i}`, text: 'x'.repeat(MAX_TEXT_CHARS + 1) }),
        bad: true,
      };
    case 199:
      return {
        line: JSON.stringify({ id: `t${i}`, text: '<script>alert(1)</script>' }),
        bad: true,
      };
    default:
      return {
        line: JSON.stringify({ id: `t${i}`, text: `ticket ${i}: see you at lunch` }),
        bad: false,
      };
  }
}

function readJsonLines(path: string): Record<string, unknown>[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function completeLines(path: string): number {
  if (!existsSync(path)) return 0;
  return readFileSync(path, 'utf8').split('\n').length - 1;
}

function runCli(
  args: string[],
  env: Readonly<Record<string, string>> = {},
): { child: ChildProcess; exit: Promise<number | null> } {
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'dist/cli/main.js'), 'classify', ...args],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } },
  );
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  return { child, exit };
}

/** Every valid id exactly once, in order; every bad line once, with its number. */
function expectComplete(output: string): void {
  const rows = readJsonLines(output);
  const errors = readJsonLines(`${output}.errors.jsonl`);
  const expectedIds: string[] = [];
  const expectedBad: number[] = [];
  for (let i = 0; i < ROWS; i++) {
    if (inputLine(i).bad) expectedBad.push(i + 1);
    else expectedIds.push(`t${i}`);
  }
  expect(rows.map((row) => row.id)).toEqual(expectedIds);
  expect(rows.every((row) => row.label === 'ham' || row.label === 'spam')).toBe(true);
  expect(errors.map((error) => error.line)).toEqual(expectedBad);
  expect(rows.length + errors.length).toBe(ROWS);
}

describe('sift classify', () => {
  let sut: TestApp;
  let dir: string;
  let input: string;

  beforeAll(async () => {
    ensureBuild();
    sut = await startTestApp({ MAX_TEXT_CHARS: String(MAX_TEXT_CHARS) }, { listen: true });
    dir = mkdtempSync(join(tmpdir(), 'sift-cli-'));
    input = join(dir, 'input.jsonl');
    writeFileSync(
      input,
      Array.from({ length: ROWS }, (_, i) => inputLine(i).line).join('\n') + '\n',
    );
  });

  afterAll(async () => {
    await sut.close();
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('classifies 20,000 lines against a server, bad lines reported with their numbers', async () => {
    const output = join(dir, 'all.jsonl');
    const run = runCli(['--url', sut.baseUrl ?? '', '--input', input, '--output', output]);
    let stderr = '';
    run.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await run.exit).toBe(0);
    expectComplete(output);
    expect(stderr).toMatch(/20000 rows, 19680 classified, 320 errors/);
  });

  it('resumes a killed run after its last complete line, repeating and losing nothing', async () => {
    const output = join(dir, 'killed.jsonl');
    // The server stops answering after 6,000 texts until released, so the run is certainly
    // mid-way when it is killed, however fast the machine.
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const pipeline = sut.app.get(ClassificationPipeline);
    const original = pipeline.classify.bind(pipeline);
    let texts = 0;
    jest.spyOn(pipeline, 'classify').mockImplementation(async (request, options) => {
      texts += options.inputs.length;
      if (texts > 6_000) await gate;
      return original(request, options);
    });
    const first = runCli(['--url', sut.baseUrl ?? '', '--input', input, '--output', output]);
    await waitFor(() => completeLines(output) >= 2_000, '2,000 output lines', 120_000);
    first.child.kill('SIGKILL');
    await first.exit;
    release();
    // A write torn by the kill: half a line with no newline, which must not count.
    appendFileSync(output, '{"id":"t99999","line":');

    const second = runCli([
      '--url',
      sut.baseUrl ?? '',
      '--input',
      input,
      '--output',
      output,
      '--resume',
    ]);
    expect(await second.exit).toBe(0);
    expectComplete(output);
  });

  it('exits non-zero and says how to resume when the server is gone', async () => {
    const output = join(dir, 'gone.jsonl');
    // A port nothing listens on: every attempt fails to connect.
    const run = runCli([
      '--url',
      'http://127.0.0.1:9',
      '--retries',
      '1',
      '--input',
      input,
      '--output',
      output,
    ]);
    let stderr = '';
    run.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await run.exit).toBe(1);
    expect(stderr).toContain('--resume');
  });

  it('runs in-process without --url, loading the models as npm start does', async () => {
    const small = join(dir, 'small.csv');
    writeFileSync(
      small,
      'ref,body\nr1,"See you at lunch, ok?"\nr2,"Win a FREE cruise!\nClick now"\nr3,\n',
    );
    const output = join(dir, 'small.jsonl');
    const run = runCli(
      ['--input', small, '--output', output, '--text-column', 'body', '--id-column', 'ref'],
      { MODELS_DIR: COMBINED_MODELS_DIR, MODELS: 'spam-en', LOG_LEVEL: 'silent' },
    );
    expect(await run.exit).toBe(0);
    expect(readJsonLines(output)).toMatchObject([
      { id: 'r1', line: 2, label: 'ham' },
      { id: 'r2', line: 3, label: 'spam' },
    ]);
    expect(readJsonLines(`${output}.errors.jsonl`)).toMatchObject([
      { id: 'r3', line: 5, error: { statusCode: 400 } },
    ]);
  });
});
