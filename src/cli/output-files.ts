import {
  closeSync,
  existsSync,
  ftruncateSync,
  openSync,
  readSync,
  fstatSync,
  writeSync,
} from 'node:fs';

/** The errors file beside an output file. */
export function errorsPathOf(output: string): string {
  return `${output}.errors.jsonl`;
}

/**
 * The output and errors files, appended to in input order, one `writeSync` per run of
 * consecutive rows: at any moment (a SIGKILL included) every input line up to some line is in
 * one file or the other and none after it, which is what --resume relies on.
 */
export class OutputFiles {
  private readonly outputFd: number;
  private readonly errorsFd: number;

  private constructor(output: string, errors: string, flags: 'a' | 'w') {
    this.outputFd = openSync(output, flags);
    this.errorsFd = openSync(errors, flags);
  }

  /** New files, replacing any left by an earlier run. */
  static create(output: string): OutputFiles {
    return new OutputFiles(output, errorsPathOf(output), 'w');
  }

  /**
   * The files of an earlier run, each cut after its last complete line (a killed run may have
   * left half a line), and the last input line they account for.
   */
  static resume(output: string): {
    files: OutputFiles;
    doneThrough: number;
    written: number;
    errors: number;
  } {
    const errors = errorsPathOf(output);
    const out = completeLines(output);
    const err = completeLines(errors);
    return {
      files: new OutputFiles(output, errors, 'a'),
      doneThrough: Math.max(out.lastLine, err.lastLine),
      written: out.count,
      errors: err.count,
    };
  }

  /** Appends answer lines (`output: true`) or error lines, already in input order. */
  write(lines: readonly string[], output: boolean): void {
    if (lines.length === 0) return;
    writeSync(output ? this.outputFd : this.errorsFd, `${lines.join('\n')}\n`);
  }

  close(): void {
    closeSync(this.outputFd);
    closeSync(this.errorsFd);
  }
}

/** Cuts a file after its last newline; its complete lines' count and the last one's `line`. */
function completeLines(path: string): { count: number; lastLine: number } {
  if (!existsSync(path)) return { count: 0, lastLine: 0 };
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    const buffer = Buffer.alloc(size);
    readSync(fd, buffer, 0, size, 0);
    const end = buffer.lastIndexOf(0x0a) + 1;
    if (end < size) ftruncateSync(fd, end);
    const text = buffer.subarray(0, end).toString('utf8');
    const lines = text.split('\n').filter((line) => line.length > 0);
    const last = lines.at(-1);
    const lastLine = last === undefined ? 0 : Number((JSON.parse(last) as { line?: unknown }).line);
    return { count: lines.length, lastLine: Number.isInteger(lastLine) ? lastLine : 0 };
  } finally {
    closeSync(fd);
  }
}
