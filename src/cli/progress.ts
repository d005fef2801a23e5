/** Counts of a run, for the progress bar and the summary line. */
export interface RunCounts {
  done: number;
  errors: number;
}

/**
 * A one-line progress bar on stderr, redrawn at most every 200 ms: rows done / total, rows per
 * second, ETA and errors so far. Only when stderr is a terminal: a log file gets the summary.
 */
export class ProgressBar {
  private readonly startedAt = Date.now();
  private startDone = -1;
  private lastDraw = 0;

  constructor(
    private readonly total: number | undefined,
    private readonly enabled: boolean,
  ) {}

  update(counts: RunCounts, force = false): void {
    if (!this.enabled) return;
    if (this.startDone < 0) this.startDone = counts.done;
    const now = Date.now();
    if (!force && now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const seconds = Math.max(0.001, (now - this.startedAt) / 1000);
    const rate = (counts.done - this.startDone) / seconds;
    const total = this.total ?? 0;
    const fraction = total > 0 ? Math.min(1, counts.done / total) : 0;
    const width = 24;
    const bar = '#'.repeat(Math.round(fraction * width)).padEnd(width, '.');
    const eta = rate > 0 && total > 0 ? `${Math.ceil((total - counts.done) / rate)} s` : '?';
    process.stderr.write(
      `\r[${bar}] ${counts.done}/${total || '?'} rows  ${rate.toFixed(0)} rows/s  ETA ${eta}  errors ${counts.errors}  `,
    );
  }

  finish(): void {
    if (this.enabled) process.stderr.write('\n');
  }
}
