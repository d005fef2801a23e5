import { parseArgs } from 'node:util';

export type BenchMode = 'full' | 'quick' | 'smoke';

/** Everything one harness run does, resolved from the command line. */
export interface BenchOptions {
  readonly mode: BenchMode;
  readonly models: readonly string[];
  readonly concurrency: readonly number[];
  /** Seconds of measured load per scenario. */
  readonly durationS: number;
  /** Seconds of unmeasured load before a server's first measured scenario. */
  readonly warmupS: number;
  readonly ceilingBatchSizes: readonly number[];
  readonly ceilingDurationS: number;
  /** Concurrency levels the naive peer is driven at; empty skips it. */
  readonly naiveConcurrency: readonly number[];
  /** The DistilBERT-shaped comparison with the published Infinity numbers. */
  readonly infinity: boolean;
  /** bert-bench q8 beside fp32 through Sift (bench/quantized-stage.ts). */
  readonly quantized: boolean;
  /** Seconds of the c=64 soak; 0 skips it. */
  readonly soakS: number;
  /** Where the JSON result goes; undefined picks a timestamped file in bench/results/. */
  readonly outFile: string | undefined;
  /** Start Sift with `node --cpu-prof` writing into this folder (bench/results/profiles). */
  readonly profile: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]

  --quick              short run: c=1 and 64, 5 s each, no DistilBERT comparison, no soak
  --smoke              CI smoke run: spam-en, c=1 and 8, 1 s each (a few seconds in all)
  --models a,b         models to measure (default spam-en,bert-bench)
  --concurrency 1,8    connection counts (default 1,8,64,256)
  --duration 10        seconds per scenario (default 10)
  --quantized          also compare bert-bench q8 with fp32 at c=64 (on in full runs)
  --infinity           also run the DistilBERT comparison with Infinity's published numbers,
                       fp32 at c=1 and q8 at c=8 (on in full runs)
  --soak 300           also hold c=64 for this many seconds and check RSS growth and errors
  --out file.json      where to write the result (default bench/results/<time>-<mode>.json)
  --profile            run Sift under node --cpu-prof (profiles in bench/results/profiles/;
                       summarise one with: tsx bench/profile-summary.ts <file.cpuprofile>)
  --help               this text`;

function positiveInt(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`--${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

function intList(name: string, raw: string): number[] {
  const values = raw.split(',').map((item) => positiveInt(name, item.trim()));
  return [...new Set(values)].sort((a, b) => a - b);
}

function nameList(raw: string): string[] {
  const names = raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  for (const name of names) {
    // Model names become folder paths: refuse anything that could leave models/.
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`bad model name "${name}"`);
  }
  return names;
}

/** Parses `argv` (without node and the script); returns undefined when --help was asked. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions | undefined {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      quick: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      models: { type: 'string' },
      concurrency: { type: 'string' },
      duration: { type: 'string' },
      soak: { type: 'string' },
      out: { type: 'string' },
      profile: { type: 'boolean', default: false },
      quantized: { type: 'boolean', default: false },
      infinity: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  if (values.quick && values.smoke) throw new Error('--quick and --smoke exclude each other');

  const mode: BenchMode = values.smoke ? 'smoke' : values.quick ? 'quick' : 'full';
  const defaults = MODE_DEFAULTS[mode];
  const concurrency =
    values.concurrency === undefined
      ? defaults.concurrency
      : intList('concurrency', values.concurrency);
  const durationS =
    values.duration === undefined ? defaults.durationS : positiveInt('duration', values.duration);
  const soakS = values.soak === undefined ? 0 : positiveInt('soak', values.soak);
  if (soakS > 0 && mode !== 'full') throw new Error('--soak runs only in a full run');
  const models = values.models === undefined ? defaults.models : nameList(values.models);
  if (models.length === 0) throw new Error('--models must name at least one model');

  return {
    mode,
    models,
    concurrency,
    durationS,
    warmupS: defaults.warmupS,
    ceilingBatchSizes: defaults.ceilingBatchSizes,
    ceilingDurationS: Math.max(1, Math.min(5, Math.ceil(durationS / 2))),
    naiveConcurrency: mode === 'smoke' ? [1] : concurrency,
    infinity: values.infinity || mode === 'full',
    quantized: values.quantized || mode === 'full',
    soakS,
    outFile: values.out,
    profile: values.profile,
  };
}

interface ModeDefaults {
  readonly models: readonly string[];
  readonly concurrency: readonly number[];
  readonly durationS: number;
  readonly warmupS: number;
  readonly ceilingBatchSizes: readonly number[];
}

const MODE_DEFAULTS: Record<BenchMode, ModeDefaults> = {
  full: {
    models: ['spam-en', 'bert-bench'],
    concurrency: [1, 8, 64, 256],
    durationS: 10,
    warmupS: 3,
    ceilingBatchSizes: [1, 8, 32, 64],
  },
  quick: {
    models: ['spam-en', 'bert-bench'],
    concurrency: [1, 64],
    // c=64 on bert-bench queues about a second of work: shorter windows mostly measure that.
    durationS: 5,
    warmupS: 1,
    ceilingBatchSizes: [1, 8, 32, 64],
  },
  smoke: {
    models: ['spam-en'],
    concurrency: [1, 8],
    durationS: 1,
    warmupS: 1,
    ceilingBatchSizes: [1, 8],
  },
};
