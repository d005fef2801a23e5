/**
 * `npm run bench:alternate`: two or more builds of Sift (or one build with different settings)
 * measured in alternating rounds on distinct spam-en texts, so a slow spell of the machine hits
 * every variant alike. Prints each round and the median per variant and connection count. This
 * is how a code change's effect is measured on a noisy machine; the targets live in
 * `npm run bench`.
 *
 *   git worktree add /tmp/before HEAD~1 && (cd /tmp/before && ln -s "$PWD/node_modules" . && npx nest build)
 *   npm run bench:alternate -- --variant /tmp/before/dist --variant dist --rounds 4
 *   npm run bench:alternate -- --variant dist --variant 'dist TOKENIZER_THREADS=0'
 *
 * A variant is a dist folder, optionally followed by settings (KEY=value, space-separated), or
 * `peer:minimal` for the minimal server (bench/minimal-peer.ts: Node's http, the same tokenizer,
 * one ONNX Runtime session), the least one request can cost:
 *
 *   npm run bench:alternate -- --variant dist --variant peer:minimal --concurrency 1
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { describeCpu } from '../src/modules/inference/runtime/cpu-features';
import { ChildProcesses, freePort, waitUntilReady } from './child-processes';
import { runLoad } from './load-generator';
import { serverCpuSeconds } from './metrics-scrape';
import { startMinimalPeer } from './reference-stages';
import { REPO_ROOT, ensureModel, siftEnvironment } from './servers';
import { distinctBodies, loadBenchTexts } from './text-sets';

const SERVER_READY_TIMEOUT_MS = 180_000;

const MINIMAL_PEER = 'peer:minimal';

interface Variant {
  readonly label: string;
  readonly dist: string;
  readonly env: Readonly<Record<string, string>>;
}

function parseVariant(spec: string): Variant {
  if (spec.trim() === MINIMAL_PEER) return { label: MINIMAL_PEER, dist: '', env: {} };
  const [dist, ...settings] = spec.trim().split(/\s+/);
  const env: Record<string, string> = {};
  for (const setting of settings) {
    const equals = setting.indexOf('=');
    if (equals <= 0) throw new Error(`--variant "${spec}": "${setting}" is not KEY=value`);
    env[setting.slice(0, equals)] = setting.slice(equals + 1);
  }
  return { label: spec.trim(), dist: resolve(REPO_ROOT, dist), env };
}

function positiveInteger(raw: string, name: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`--${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Starts a variant's server; its base URL once it is ready. */
async function startVariant(
  children: ChildProcesses,
  variant: Variant,
  model: string,
): Promise<string> {
  if (variant.label === MINIMAL_PEER) return (await startMinimalPeer(children, model)).baseUrl;
  const port = await freePort();
  const child = children.start(variant.label, process.execPath, [join(variant.dist, 'main.js')], {
    ...siftEnvironment(port, model, false),
    ...variant.env,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilReady(child, `${url}/ready`, SERVER_READY_TIMEOUT_MS);
  return url;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      variant: { type: 'string', multiple: true },
      rounds: { type: 'string', default: '3' },
      duration: { type: 'string', default: '6' },
      concurrency: { type: 'string', default: '1,64' },
      model: { type: 'string', default: 'spam-en' },
    },
  });
  const variants = (values.variant ?? []).map(parseVariant);
  if (variants.length < 2) throw new Error('give at least two --variant options');
  const rounds = positiveInteger(values.rounds, 'rounds');
  const durationS = positiveInteger(values.duration, 'duration');
  const connections = values.concurrency
    .split(',')
    .map((raw) => positiveInteger(raw, 'concurrency'));
  const model = values.model;
  ensureModel(model, (message) => console.log(message));
  console.log(`CPU: ${describeCpu()}`);
  const texts = loadBenchTexts();
  const rates = new Map<string, number[]>();
  const cpuPerRequest = new Map<string, number[]>();

  for (let round = 1; round <= rounds; round++) {
    for (const variant of variants) {
      const children = new ChildProcesses();
      try {
        const url = await startVariant(children, variant, model);
        // Warm-up on training texts, so the measured texts are never seen before.
        await runLoad({
          url: `${url}/classify`,
          connections: 8,
          durationS: 1,
          nextBody: distinctBodies(texts.warmup, undefined),
        });
        for (const c of connections) {
          const cpuBefore = await serverCpuSeconds(url);
          const outcome = await runLoad({
            url: `${url}/classify`,
            connections: c,
            durationS,
            nextBody: distinctBodies(texts.distinct, undefined),
          });
          const key = `${variant.label} c=${c}`;
          rates.set(key, [...(rates.get(key) ?? []), outcome.requestsPerSecond]);
          const cpuAfter = await serverCpuSeconds(url);
          const cpuMs =
            cpuBefore === undefined || cpuAfter === undefined || outcome.responses === 0
              ? NaN
              : ((cpuAfter - cpuBefore) * 1000) / outcome.responses;
          cpuPerRequest.set(key, [...(cpuPerRequest.get(key) ?? []), cpuMs]);
          const failures = outcome.errors + outcome.non2xx + outcome.timeouts;
          console.log(
            `round ${round} ${key}: ${outcome.requestsPerSecond.toFixed(1)} req/s, p50 ${outcome.latencyMs.p50.toFixed(2)} ms, ${cpuMs.toFixed(3)} server CPU ms/request, ${failures} failed`,
          );
        }
      } finally {
        await children.stopAll();
      }
    }
  }
  console.log('\nmedian req/s (each round):');
  for (const [key, measured] of rates) {
    console.log(
      `  ${key}: ${median(measured).toFixed(1)} [${measured.map((v) => v.toFixed(0)).join(', ')}]`,
    );
  }
  console.log('\nmedian server CPU ms per request (each round):');
  for (const [key, measured] of cpuPerRequest) {
    console.log(
      `  ${key}: ${median(measured).toFixed(3)} [${measured.map((v) => v.toFixed(3)).join(', ')}]`,
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  },
);
