/**
 * One build of Sift under `node --cpu-prof`, loaded at one concurrency on distinct spam-en texts
 * (as `bench:alternate` loads it), then stopped so the profiles are written: one file for the
 * main thread (`*.0.001.cpuprofile`) and one per worker thread. Summarise the main thread's with
 * bench/profile-summary.ts. Settings follow the dist folder as in `bench:alternate`:
 *
 *   tsx bench/otlp-sink.ts 4318 &
 *   tsx bench/profile-load.ts --out /tmp/prof-on \
 *     --variant 'dist OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 OTEL_TRACES_SAMPLER=always_on'
 *   tsx bench/profile-summary.ts /tmp/prof-on/*.0.001.cpuprofile --from 6
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ChildProcesses, freePort, waitUntilReady } from './child-processes';
import { runLoad } from './load-generator';
import { siftEnvironment } from './servers';
import { distinctBodies, loadBenchTexts } from './text-sets';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      variant: { type: 'string', default: 'dist' },
      out: { type: 'string' },
      concurrency: { type: 'string', default: '64' },
      duration: { type: 'string', default: '12' },
    },
  });
  if (values.out === undefined) throw new Error('--out <folder for the profiles> is required');
  const [dist, ...settings] = values.variant.split(/\s+/).filter((part) => part !== '');
  const env: NodeJS.ProcessEnv = {};
  for (const setting of settings) {
    const equals = setting.indexOf('=');
    if (equals <= 0) throw new Error(`--variant: "${setting}" is not KEY=value`);
    env[setting.slice(0, equals)] = setting.slice(equals + 1);
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const children = new ChildProcesses();
  try {
    const child = children.start(
      'sift (profiled)',
      process.execPath,
      ['--cpu-prof', `--cpu-prof-dir=${resolve(values.out)}`, resolve(dist, 'main.js')],
      // Cache off, as in bench:alternate's distinct texts: every request runs the model.
      { ...siftEnvironment(port, 'spam-en', false), ...env },
    );
    await waitUntilReady(child, url, 180_000);
    const texts = loadBenchTexts();
    await runLoad({
      url: `${url}/classify`,
      connections: 8,
      durationS: 2,
      nextBody: distinctBodies(texts.warmup, undefined),
    });
    const outcome = await runLoad({
      url: `${url}/classify`,
      connections: Number(values.concurrency),
      durationS: Number(values.duration),
      nextBody: distinctBodies(texts.distinct, undefined),
    });
    console.log(
      `${values.variant}: ${outcome.requestsPerSecond.toFixed(1)} req/s, ${outcome.responses} answers`,
    );
  } finally {
    // A graceful stop: Node writes the profiles when the process exits.
    await children.stopAll();
  }
}

void main();
