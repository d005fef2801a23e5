import type { BenchResult, ScenarioResult } from './bench-result';
import { quantizedSpeedUp } from './quantized-stage';

type Cell = string;

function formatTable(
  header: readonly Cell[],
  rows: readonly (readonly Cell[])[],
  rightAlignFrom = 0,
): string {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly Cell[]): string =>
    cells
      .map((cell, column) =>
        column >= rightAlignFrom ? cell.padStart(widths[column]) : cell.padEnd(widths[column]),
      )
      .join('  ')
      .trimEnd();
  return [
    line(header),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...rows.map(line),
  ].join('\n');
}

const num = (value: number | null | undefined, digits = 1): Cell =>
  value === null || value === undefined ? '–' : value.toFixed(digits);
const percent = (ratio: number | null): Cell =>
  ratio === null ? '–' : `${Math.round(ratio * 100)}%`;

function describeTuning(tuning: unknown): string {
  if (typeof tuning !== 'object' || tuning === null) return 'defaults';
  const entries = Object.entries(tuning as Record<string, unknown>);
  return entries.length === 0
    ? 'defaults'
    : entries.map(([name, value]) => `${name}=${String(value)}`).join(' ');
}

function scenarioRow(row: ScenarioResult): Cell[] {
  return [
    row.target,
    // Bare Fastify runs no model: its `model` names the Sift run it was measured beside.
    row.target === 'bare-fastify' ? `(${row.model ?? '-'})` : (row.model ?? '-'),
    row.workload,
    String(row.concurrency),
    num(row.requestsPerSecond),
    num(row.textsPerSecond),
    num(row.latencyMs.p50, 2),
    num(row.latencyMs.p95, 2),
    num(row.latencyMs.p99, 2),
    num(row.meanBatchSize, 1),
    percent(row.cacheHitRatio),
    num(row.serverCpuPercent, 0),
    num(row.loadGeneratorCpuPercent, 0),
    num(row.peakRssMiB, 0),
    String(row.errors),
  ];
}

/** The human-readable report; ratios and targets come last, as the issue asks. */
export function renderReport(result: BenchResult, jsonPath: string): string {
  const out: string[] = [];
  const { machine } = result;
  out.push(
    `Sift benchmark (${result.mode}) — ${result.startedAt}`,
    `${machine.cpus} × ${machine.cpuModel} (${(machine.cpuFlags ?? []).join(' ') || 'flags unknown'}), ${machine.memoryGiB} GiB, Node ${machine.node}; ` +
      `load average at start ${machine.loadAverageAtStart.map((value) => value.toFixed(2)).join(' ')}`,
    `Sift tuning: ${describeTuning(result.options.siftEnvironment)}`,
    '',
  );
  out.push(
    formatTable(
      [
        'target',
        'model',
        'load',
        'c',
        'req/s',
        'texts/s',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'batch',
        'hit%',
        'CPU%',
        'gen CPU%',
        'RSS MiB',
        'err',
      ],
      result.scenarios.map(scenarioRow),
      3,
    ),
    '',
  );
  const speedUp = quantizedSpeedUp(result.scenarios);
  if (speedUp !== undefined) {
    out.push(
      `bert-bench q8 vs fp32 through Sift (tokens-300, c=64, ABBA rows): ${speedUp.toFixed(2)}× texts/s (target ≥ 1.8×); raw ORT: npm run bench:quantized`,
      '',
    );
  }
  for (const ceiling of result.ceilings) {
    const points = ceiling.points
      .map(
        (point) =>
          `b=${point.batchSize}: ${num(point.textsPerSecond)} (pad eff. ${percent(point.paddingEfficiency)})`,
      )
      .join(', ');
    out.push(
      `Ceiling ${ceiling.model}: best ${num(ceiling.textsPerSecond)} texts/s at batch ${ceiling.bestBatchSize} — ${points}`,
    );
    const side = ceiling.sideBySide;
    if (side !== undefined) {
      out.push(
        `  ${side.sessions} sessions side by side (${side.intraOpThreads} intra-op thread each): best ${num(side.textsPerSecond)} texts/s at batch ${side.bestBatchSize}`,
      );
    }
    const bound = ceiling.tokenizerBound;
    if (bound !== undefined) {
      out.push(
        `  tokenizer-bound: ${bound.sessions} processes that tokenize and run (1 thread each): best ${num(bound.textsPerSecond)} texts/s at batch ${bound.bestBatchSize}`,
      );
    }
  }
  if (result.footprints.length > 0) {
    out.push('', 'Models as Sift ran them (cache off):');
    for (const row of result.footprints) {
      const placement =
        row.placement === 'tokenizer-threads'
          ? 'in the tokenizer threads under load (on the event loop when alone)'
          : row.workers === 0
            ? 'sessions on the event loop'
            : `${row.workers} worker threads`;
      const mib = (value: number | undefined) => (value === undefined ? '?' : num(value));
      out.push(
        `  ${row.model}: ${placement}, tokenizer threads ${row.tokenizerThreads}; RSS ${mib(row.rssIdleMiB)} MiB idle after warm-up, ${mib(row.rssPeakMiB)} MiB peak under load`,
      );
    }
  }
  if (result.infinity !== null) {
    out.push('', `Published reference (${result.infinity.note}):`);
    out.push(
      formatTable(
        [
          'input',
          'Infinity req/s',
          'plain transformers req/s',
          `Sift req/s (${result.infinity.model}, c=1)`,
          'Sift p50 ms',
          'naive peer req/s',
          'Sift q8 req/s (c=8)',
        ],
        result.infinity.rows.map((row) => [
          `${row.tokens} tokens`,
          String(row.infinityRps),
          String(row.plainTransformersRps),
          num(row.siftRps),
          num(row.siftP50Ms, 2),
          num(row.naivePeerRps),
          num(row.siftQ8Rps),
        ]),
        1,
      ),
    );
  }
  if (result.soak !== null) {
    const soak = result.soak;
    out.push(
      '',
      `Soak ${soak.model} c=${soak.concurrency} for ${num(soak.durationS, 0)} s: ${num(soak.requestsPerSecond)} req/s, ` +
        `RSS ${num(soak.rssAfterWarmupMiB)} MiB after ${num(soak.warmupS, 0)} s → ${num(soak.rssAtEndMiB)} MiB at the end ` +
        `(${num(soak.rssGrowthPercent)}%), peak ${num(soak.peakRssMiB)} MiB, ${soak.errors} errors`,
    );
  }
  out.push('', 'Ratios and targets (2-core machine):');
  out.push(
    formatTable(
      ['verdict', 'target', 'goal', 'measured'],
      result.targets.map((target) => [target.verdict, target.name, target.goal, target.measured]),
      99,
    ),
  );
  out.push('', `JSON: ${jsonPath}`);
  return out.join('\n');
}
