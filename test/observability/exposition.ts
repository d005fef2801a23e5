import { spawnSync } from 'node:child_process';

/** One sample line of the Prometheus text format. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function unescapeLabel(value: string): string {
  return value.replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char));
}

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

/** The samples of an exposition; comments and blank lines are skipped. */
export function parseSamples(exposition: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of exposition.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL_PAIR)) {
      labels[key] = unescapeLabel(value);
    }
    samples.push({ name: match[1], labels, value: parseValue(match[3]) });
  }
  return samples;
}

/** Sum of the samples named `name` whose labels include `labels`; 0 when none match. */
export function valueOf(
  samples: readonly Sample[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  return samples
    .filter((sample) => sample.name === name)
    .filter((sample) =>
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    )
    .reduce((sum, sample) => sum + sample.value, 0);
}

/** Identity (name and labels) of every sample whose name starts with `prefix`. */
export function seriesOf(samples: readonly Sample[], prefix: string): string[] {
  return samples
    .filter((sample) => sample.name.startsWith(prefix))
    .map((sample) => `${sample.name}${JSON.stringify(sample.labels)}`)
    .sort();
}

export interface PromtoolResult {
  readonly status: number | null;
  readonly output: string;
}

/**
 * Runs `promtool check metrics` (Debian package `prometheus`) on an exposition. Throws when
 * promtool is missing so CI cannot skip the check silently.
 */
export function promtoolCheck(exposition: string): PromtoolResult {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  if (run.error !== undefined) {
    throw new Error(
      `promtool is not installed (apt-get install -y prometheus): ${run.error.message}`,
    );
  }
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}
