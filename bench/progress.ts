/**
 * One status line on stderr saying what runs now ("[7/38] bert-bench · sift · distinct ·
 * c=64 · 4/10 s"); rewritten in place on a terminal, one line per step otherwise (CI logs).
 */
export class Progress {
  private step = 0;
  private label = '';
  private readonly interactive = process.stderr.isTTY;

  constructor(private readonly totalSteps: number) {}

  /** Starts the next counted step. */
  begin(label: string, seconds?: number): void {
    this.step++;
    this.label = `[${this.step}/${this.totalSteps}] ${label}`;
    this.write(seconds === undefined ? this.label : `${this.label} · ${seconds} s`);
  }

  tick(elapsedS: number, totalS: number): void {
    // On a log file, a line per second would drown the useful ones.
    if (this.interactive) {
      this.write(`${this.label} · ${Math.min(totalS, Math.round(elapsedS))}/${totalS} s`);
    }
  }

  /** An uncounted message (building, generating a model). */
  note(message: string): void {
    this.write(message);
  }

  done(): void {
    if (this.interactive) process.stderr.write('\r\x1b[2K');
  }

  private write(line: string): void {
    if (this.interactive) process.stderr.write(`\r\x1b[2K${line}`);
    else process.stderr.write(`${line}\n`);
  }
}
