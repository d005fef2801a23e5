#!/usr/bin/env node
// @ts-check
// The GPU measurement of issue 21, part 3 (docs/gpu.md): for each model, the CUDA-vs-CPU logits
// difference straight through onnxruntime-node, then Sift itself (node dist/main.js with
// EXECUTION_PROVIDERS=cuda,cpu) under closed-loop load at several concurrencies and batch
// delays, with the provider GET /models reports, GPU memory and utilisation from nvidia-smi and
// nlp_gpu_utilization_percent from /metrics. Plain Node 22 and the app's own node_modules only:
// the GPU host has no registry and no dev dependencies.
//   node scripts/gpu-measure.mjs --models bert-bench,bert-bench-distilbert --out "$OUT"
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs, promisify } from 'node:util';

const { values: args } = parseArgs({
  options: {
    models: { type: 'string', default: 'bert-bench,bert-bench-distilbert' },
    'models-dir': { type: 'string', default: 'models' },
    concurrency: { type: 'string', default: '1,64,256' },
    delays: { type: 'string', default: '0,2' },
    seconds: { type: 'string', default: '10' },
    words: { type: 'string', default: '48' },
    providers: { type: 'string', default: 'cuda,cpu' },
    out: { type: 'string', default: '.tmp/gpu-results' },
  },
});
const MODELS = args.models.split(',');
const MODELS_DIR = resolve(args['models-dir']);
const CONCURRENCY = args.concurrency.split(',').map(Number);
const DELAYS = args.delays.split(',').map(Number);
const SECONDS = Number(args.seconds);
const WORDS = Number(args.words);
const OUT = resolve(args.out);
const run = promisify(execFile);
const log = (/** @type {string} */ line) =>
  console.log(`[gpu-measure ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** Largest |cuda − cpu| over the logits of one random batch, or why CUDA could not run it. */
async function logitsDifference(model) {
  const ort = createRequire(join(process.cwd(), 'package.json'))('onnxruntime-node');
  const graph = join(MODELS_DIR, model, 'onnx', 'model.onnx');
  const config = JSON.parse(readFileSync(join(MODELS_DIR, model, 'config.json'), 'utf8'));
  const [batch, length] = [8, 128];
  const ids = BigInt64Array.from({ length: batch * length }, (_, i) =>
    BigInt(1000 + ((i * 7919) % ((config.vocab_size ?? 30522) - 1000))),
  );
  const outputs = {};
  for (const provider of ['cpu', 'cuda']) {
    let session;
    try {
      session = await ort.InferenceSession.create(graph, { executionProviders: [provider] });
    } catch (error) {
      return { model, error: `${provider}: ${String(error.message).split('\n')[0]}` };
    }
    const feeds = {};
    for (const name of session.inputNames) {
      const data =
        name === 'input_ids'
          ? ids
          : new BigInt64Array(batch * length).fill(name === 'attention_mask' ? 1n : 0n);
      feeds[name] = new ort.Tensor('int64', data, [batch, length]);
    }
    outputs[provider] = (await session.run(feeds)).logits.data;
    await session.release();
  }
  let max = 0;
  for (let i = 0; i < outputs.cpu.length; i++)
    max = Math.max(max, Math.abs(outputs.cpu[i] - outputs.cuda[i]));
  return { model, maxAbsDiff: max, withinTolerance: max <= 1e-3 };
}

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  server.close();
  return port;
}

async function startSift(model, delay) {
  const port = await freePort();
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    MODELS_DIR,
    MODELS: model,
    EXECUTION_PROVIDERS: args.providers,
    MAX_BATCH_DELAY_MS: String(delay),
    CACHE_ENABLED: 'false',
    RATE_LIMIT: '0',
    REDIS_URL: '',
    LOG_LEVEL: 'warn',
  };
  const child = spawn(process.execPath, ['dist/main.js'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`sift exited ${child.exitCode}:\n${output}`);
    if (i > 1200) throw new Error(`sift not ready after 120 s:\n${output}`);
    const ready = await fetch(`${base}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    await sleep(100);
  }
  const listed = await (await fetch(`${base}/models`)).json();
  return { base, child, listed: listed.models, output: () => output };
}

function text(n) {
  const words = Array.from({ length: WORDS }, (_, i) => `word${(n * 31 + i * 17) % 5000}`);
  return `${n} ${words.join(' ')}`;
}

/** nvidia-smi memory and utilisation samples, every 500 ms until stopped. */
function sampleGpu() {
  const samples = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const { stdout } = await run('nvidia-smi', [
          '--query-gpu=memory.used,utilization.gpu',
          '--format=csv,noheader,nounits',
        ]);
        const [memory, util] = stdout
          .split('\n')[0]
          .split(',')
          .map((v) => Number(v.trim()));
        samples.push({ memory, util });
      } catch {
        running = false; // no nvidia-smi: nothing to sample
      }
      await sleep(500);
    }
  })();
  return async () => {
    running = false;
    await loop;
    return samples;
  };
}

async function scrapeGpuMetric(base) {
  const body = await (await fetch(`${base}/metrics`)).text();
  const match = /^nlp_gpu_utilization_percent\{[^}]*\} ([\d.]+)/m.exec(body);
  return match === null ? undefined : Number(match[1]);
}

/** Closed loop: `concurrency` clients each send the next text as soon as the last answer came. */
async function load(base, concurrency, seconds) {
  const latencies = [];
  let next = 0;
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const metric = [];
  const scraper = (async () => {
    while (performance.now() < deadline) {
      await sleep(1000);
      const value = await scrapeGpuMetric(base).catch(() => undefined);
      if (value !== undefined) metric.push(value);
    }
  })();
  const stopGpu = sampleGpu();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const started = performance.now();
        const response = await fetch(`${base}/classify`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: text(next++) }),
        }).catch(() => undefined);
        if (response?.ok) {
          await response.arrayBuffer();
          latencies.push(performance.now() - started);
        } else errors++;
      }
    }),
  );
  const gpu = await stopGpu();
  await scraper;
  latencies.sort((a, b) => a - b);
  const pick = (q) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  const mean = (xs) => (xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length);
  return {
    textsPerSecond: latencies.length / seconds,
    p50Ms: pick(0.5),
    p99Ms: pick(0.99),
    errors,
    gpuMemoryMiB: gpu.length === 0 ? undefined : Math.max(...gpu.map((s) => s.memory)),
    gpuUtilPercent: mean(gpu.map((s) => s.util)),
    siftGpuMetricPercent: mean(metric),
  };
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const report = { started: new Date().toISOString(), args, logits: [], load: [] };
  try {
    report.nvidiaSmi = (
      await run('nvidia-smi', [
        '--query-gpu=name,driver_version,memory.total',
        '--format=csv,noheader',
      ])
    ).stdout.trim();
  } catch {
    report.nvidiaSmi = 'nvidia-smi did not answer';
  }
  log(`GPU: ${report.nvidiaSmi}`);
  for (const model of MODELS) {
    const result = await logitsDifference(model);
    log(`logits ${model}: ${JSON.stringify(result)}`);
    report.logits.push(result);
  }
  for (const model of MODELS) {
    for (const delay of DELAYS) {
      const sift = await startSift(model, delay);
      const served = sift.listed.find((m) => m.name === model);
      log(`${model} delay ${delay} ms: provider ${served?.provider}, ${served?.workers} workers`);
      try {
        await load(sift.base, Math.max(...CONCURRENCY), 2); // warm-up: CUDA kernels, allocator
        for (const concurrency of CONCURRENCY) {
          const row = {
            model,
            provider: served?.provider,
            delayMs: delay,
            concurrency,
            ...(await load(sift.base, concurrency, SECONDS)),
          };
          log(JSON.stringify(row));
          report.load.push(row);
          writeFileSync(join(OUT, 'gpu-results.json'), JSON.stringify(report, null, 2));
        }
      } finally {
        sift.child.kill('SIGTERM');
        await once(sift.child, 'exit');
        writeFileSync(join(OUT, `sift-${model}-delay${delay}.log`), sift.output());
      }
    }
  }
  writeFileSync(join(OUT, 'gpu-results.json'), JSON.stringify(report, null, 2));
  writeFileSync(join(OUT, 'gpu-results.md'), table(report));
  console.log(table(report));
}

function table(report) {
  const f = (v, digits = 1) => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(digits));
  const lines = [
    `GPU: ${report.nvidiaSmi}`,
    '',
    '| model | logits max \\|cuda − cpu\\| |',
    '| --- | --- |',
    ...report.logits.map((l) => `| ${l.model} | ${l.error ?? l.maxAbsDiff.toExponential(2)} |`),
    '',
    '| model | provider | MAX_BATCH_DELAY_MS | c | texts/s | p50 ms | p99 ms | errors | GPU MiB (peak) | GPU util % (nvidia-smi) | nlp_gpu_utilization_percent |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...report.load.map(
      (r) =>
        `| ${r.model} | ${r.provider} | ${r.delayMs} | ${r.concurrency} | ${f(r.textsPerSecond)} | ${f(r.p50Ms)} | ${f(r.p99Ms)} | ${r.errors} | ${f(r.gpuMemoryMiB, 0)} | ${f(r.gpuUtilPercent, 0)} | ${f(r.siftGpuMetricPercent, 0)} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
