import { isRowError, readRows, type InputFormat, type InputRow, type Row } from './input-rows';
import { OutputFiles } from './output-files';
import { type ProgressBar, type RunCounts } from './progress';
import { classifyRows, type PostStream, type RowAnswer } from './stream-client';

export interface ClassifyJob {
  readonly input: string;
  readonly output: string;
  readonly format: InputFormat;
  readonly concurrency: number;
  readonly resume: boolean;
  readonly chunkRows: number;
  /** Tries per chunk before the run stops (retries + 1). */
  readonly maxAttempts: number;
  readonly progress: ProgressBar;
}

/**
 * Reads the input in chunks, classifies up to `concurrency` chunks at once and writes their
 * answers strictly in input order, so the files are always a prefix of the finished job.
 * Resolves with the counts; rejects (files as far as they got) when a chunk cannot be done.
 */
export async function runClassifyJob(job: ClassifyJob, post: PostStream): Promise<RunCounts> {
  let files: OutputFiles;
  let after = 0;
  const counts: RunCounts = { done: 0, errors: 0 };
  if (job.resume) {
    const resumed = OutputFiles.resume(job.output);
    files = resumed.files;
    after = resumed.doneThrough;
    counts.done = resumed.written + resumed.errors;
    counts.errors = resumed.errors;
  } else files = OutputFiles.create(job.output);

  const inFlight: Promise<{ rows: Row[]; answers: RowAnswer[] }>[] = [];
  const writeNext = async (): Promise<void> => {
    const head = inFlight.shift();
    if (head === undefined) return;
    const { rows, answers } = await head;
    writeInOrder(files, rows, answers, counts);
    job.progress.update(counts);
  };
  try {
    let chunk: Row[] = [];
    for await (const row of readRows(job.input, job.format, after)) {
      chunk.push(row);
      if (chunk.length < job.chunkRows) continue;
      inFlight.push(started(classifyChunk(post, chunk, job.maxAttempts)));
      chunk = [];
      if (inFlight.length >= job.concurrency) await writeNext();
    }
    if (chunk.length > 0) inFlight.push(started(classifyChunk(post, chunk, job.maxAttempts)));
    while (inFlight.length > 0) await writeNext();
  } finally {
    // Chunks after a failed one are not written: the files stay a prefix of the input.
    files.close();
    job.progress.update(counts, true);
    job.progress.finish();
  }
  return counts;
}

/**
 * A chunk's failure is seen when its turn to be written comes; until then a handler keeps it
 * from counting as an unhandled rejection (which ends the process).
 */
function started<T>(chunk: Promise<T>): Promise<T> {
  chunk.catch(() => undefined);
  return chunk;
}

async function classifyChunk(
  post: PostStream,
  rows: Row[],
  maxAttempts: number,
): Promise<{ rows: Row[]; answers: RowAnswer[] }> {
  const sendable = rows.filter((row): row is InputRow => !isRowError(row));
  const answers = sendable.length === 0 ? [] : await classifyRows(post, sendable, maxAttempts);
  return { rows, answers };
}

/** Writes a chunk's lines, each run of consecutive rows of one kind in one write. */
function writeInOrder(
  files: OutputFiles,
  rows: Row[],
  answers: RowAnswer[],
  counts: RunCounts,
): void {
  let run: string[] = [];
  let runIsOutput = true;
  let next = 0;
  for (const row of rows) {
    const answer: RowAnswer = isRowError(row)
      ? {
          ok: false,
          json: JSON.stringify({
            line: row.line,
            id: row.id,
            error: { statusCode: 400, error: 'Bad Request', message: row.message },
          }),
        }
      : answers[next++];
    if (answer.ok !== runIsOutput) {
      files.write(run, runIsOutput);
      run = [];
      runIsOutput = answer.ok;
    }
    run.push(answer.json);
    counts.done++;
    if (!answer.ok) counts.errors++;
  }
  files.write(run, runIsOutput);
}
