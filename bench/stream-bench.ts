/**
 * `npm run bench:stream`: texts per second of the three ways to classify a bulk job against one
 * local Sift (node dist/main.js, cache off, so every text runs the model): `/classify/batch`
 * driven at concurrency C with batches of 64, one `/classify/stream`, and the `sift classify`
 * command line (`--url`, `--concurrency C`). N distinct short texts each. Prints the machine
 * line the other benches print; the figures go to docs/performance.md by hand.
 *
 * Options: --texts N (default 20000), --concurrency C (default 4), --model m (default spam-en).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';

import { describeCpu } from '../src/modules/inference/runtime/cpu-features';
import { ChildProcesses } from './child-processes';
import { REPO_ROOT, ensureBuild, ensureModel, startSift } from './servers';

const BATCH = 64;

interface Options {
  readonly texts: number;
  readonly concurrency: number;
  readonly model: string;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      texts: { type: 'string', default: '20000' },
      concurrency: { type: 'string', default: '4' },
      model: { type: 'string', default: 'spam-en' },
    },
  });
  const texts = Number(values.texts);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(texts) || texts < 1) throw new Error('--texts must be a positive integer');
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error('--concurrency must be a positive integer');
  }
  return { texts, concurrency, model: values.model };
}

/** Short ticket-like texts, distinct per run (`tag`), so no text repeats across the modes. */
function textsFor(count: number, tag: string): string[] {
  const topics = ['invoice', 'password reset', 'lunch', 'free cruise', 'delivery', 'refund'];
  return Array.from(
    { length: count },
    (_, i) => `${tag} ticket ${i}: question about ${topics[i % topics.length]} #${i * 7919}`,
  );
}

async function viaBatches(baseUrl: string, texts: string[], concurrency: number): Promise<void> {
  const batches: string[][] = [];
  for (let i = 0; i < texts.length; i += BATCH) batches.push(texts.slice(i, i + BATCH));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const batch = batches[next++];
      const response = await fetch(`${baseUrl}/classify/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ texts: batch, top_k: 1 }),
      });
      if (response.status !== 200) throw new Error(`/classify/batch answered ${response.status}`);
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function viaStream(baseUrl: string, texts: string[]): Promise<void> {
  const post = request(new URL('/classify/stream?top_k=1', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
  });
  const answered = once(post, 'response') as Promise<[IncomingMessage]>;
  const body = Readable.from(
    (function* lines(): Generator<string> {
      for (const text of texts) yield `${JSON.stringify({ text })}\n`;
    })(),
  );
  const sent = pipeline(body, post);
  const [response] = await answered;
  let lines = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    for (const byte of chunk) if (byte === 0x0a) lines++;
  }
  await sent;
  if (response.statusCode !== 200 || lines !== texts.length) {
    throw new Error(`/classify/stream answered ${response.statusCode} with ${lines} lines`);
  }
}

async function viaCli(baseUrl: string, texts: string[], concurrency: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sift-bench-stream-'));
  try {
    const input = join(dir, 'input.jsonl');
    writeFileSync(input, texts.map((text, id) => `${JSON.stringify({ id, text })}\n`).join(''));
    const cli = spawn(
      process.execPath,
      [
        join(REPO_ROOT, 'dist', 'cli', 'main.js'),
        'classify',
        '--input',
        input,
        '--output',
        join(dir, 'output.jsonl'),
        '--url',
        baseUrl,
        '--concurrency',
        String(concurrency),
        '--quiet',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const [code] = (await once(cli, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`sift classify exited ${code}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function timed(run: () => Promise<void>, count: number): Promise<number> {
  const started = performance.now();
  await run();
  return count / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const { texts: count, concurrency, model } = options();
  const log = (message: string): void => console.error(`[bench:stream] ${message}`);
  ensureBuild(log);
  ensureModel(model, log);
  const children = new ChildProcesses();
  const machine =
    `${cpus().length} × ${describeCpu()}, Node ${process.version}; ` +
    `load average at start ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}`;
  try {
    const sift = await startSift(children, model, false);
    log(`warming up ${sift.baseUrl}`);
    await viaBatches(sift.baseUrl, textsFor(BATCH * concurrency, 'warm'), concurrency);
    log(`/classify/batch, ${count} texts, batches of ${BATCH}, concurrency ${concurrency}`);
    const batch = await timed(
      () => viaBatches(sift.baseUrl, textsFor(count, 'batch'), concurrency),
      count,
    );
    log(`/classify/stream, ${count} texts, one stream`);
    const stream = await timed(() => viaStream(sift.baseUrl, textsFor(count, 'stream')), count);
    log(`sift classify --url, ${count} texts, --concurrency ${concurrency}`);
    const cli = await timed(() => viaCli(sift.baseUrl, textsFor(count, 'cli'), concurrency), count);
    console.log(`Sift bulk benchmark (${model}, cache off) — ${new Date().toISOString()}`);
    console.log(machine);
    console.log(`| way | texts | texts/s |`);
    console.log(`|---|---:|---:|`);
    console.log(
      `| /classify/batch, ${BATCH} a request, concurrency ${concurrency} | ${count} | ${batch.toFixed(0)} |`,
    );
    console.log(`| /classify/stream, one stream | ${count} | ${stream.toFixed(0)} |`);
    console.log(
      `| sift classify --url, --concurrency ${concurrency} | ${count} | ${cli.toFixed(0)} |`,
    );
  } finally {
    await children.stopAll();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  },
);
