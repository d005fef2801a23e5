/**
 * Where the main thread's time went in a `node --cpu-prof` profile (bench --profile writes
 * them to bench/results/profiles/): self time by package / area and the top functions.
 * Only the JS thread is sampled: ONNX Runtime's own pool threads do not appear, but a
 * synchronous `session.run` on the main thread does (as its native caller).
 *
 *   tsx bench/profile-summary.ts bench/results/profiles/<file>.cpuprofile [--top 25] [--from 5]
 *
 * `--from` skips the first seconds (start-up: module loading, model load and warm-up).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Groups a frame into the area a fix would target. */
function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle';
    if (functionName === '(program)') return 'native / program';
    return `native: ${functionName || '(anonymous)'}`;
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg !== null) return pkg[1];
  const dist = /\/dist\/(.*)$/.exec(url);
  if (dist !== null) return `sift: ${dist[1].split('/').slice(0, 2).join('/')}`;
  if (url.startsWith('node:')) return url;
  return url;
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      top: { type: 'string', default: '25' },
      from: { type: 'string', default: '0' },
    },
  });
  const file = positionals[0];
  if (file === undefined) throw new Error('usage: profile-summary.ts <file.cpuprofile> [--top N]');
  const top = Number(values.top);
  const fromMicros = Number(values.from) * 1e6;
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));

  const selfMicros = new Map<number, number>();
  let total = 0;
  let elapsed = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    elapsed += delta;
    if (elapsed < fromMicros) return;
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta);
    total += delta;
  });

  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) continue;
    const area = areaOf(frame);
    byArea.set(area, (byArea.get(area) ?? 0) + micros);
    const name = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*node_modules\//, '')}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  }

  const print = (title: string, entries: Map<string, number>): void => {
    console.log(`\n${title}`);
    for (const [name, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      const share = ((micros / total) * 100).toFixed(1).padStart(5);
      console.log(`${share}%  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${name}`);
    }
  };
  console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled on the main thread`);
  print('Self time by area', byArea);
  print('Self time by function', byFunction);
}

main();
