#!/usr/bin/env node
import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { runClassifyJob } from './classify-job';
import { ProgressBar } from './progress';
import { remotePost, type PostStream } from './stream-client';

const USAGE = `usage: sift classify --input <file.jsonl|file.csv> --output <file.jsonl>
  [--url http://host:port] [--model m] [--concurrency n] [--resume]
  [--text-column text] [--id-column id] [--retries 7] [--quiet]`;

/** Rows per request: big enough to fill the server's batches, small enough to retry cheaply. */
const CHUNK_ROWS = 256;

async function countLines(path: string): Promise<number> {
  let lines = 0;
  let last = 0x0a;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (const byte of chunk) if (byte === 0x0a) lines++;
    last = chunk.at(-1) ?? last;
  }
  return last === 0x0a ? lines : lines + 1;
}

/** Without --url: the app `npm start` runs, in this process, without listening. */
async function inProcess(query: string): Promise<{ post: PostStream; close: () => Promise<void> }> {
  const { createApp } = await import('../app.factory');
  const { loadConfig } = await import('../config');
  const { InferenceService } = await import('../modules/inference');
  // This process is the only client: no rate limit, and warnings only on the terminal.
  const app = await createApp({ ...loadConfig(), RATE_LIMIT: 0, LOG_LEVEL: 'warn' });
  await app.get(InferenceService).whenLoaded();
  const post: PostStream = async (body) => {
    const reply = await app.inject({
      method: 'POST',
      url: `/classify/stream${query}`,
      headers: { 'content-type': 'application/x-ndjson' },
      payload: body,
    });
    const retryAfter = Number(reply.headers['retry-after']);
    return {
      status: reply.statusCode,
      retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      text: reply.payload,
    };
  };
  return { post, close: () => app.close() };
}

async function classify(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      input: { type: 'string' },
      output: { type: 'string' },
      url: { type: 'string' },
      model: { type: 'string' },
      concurrency: { type: 'string', default: '4' },
      resume: { type: 'boolean', default: false },
      'text-column': { type: 'string', default: 'text' },
      'id-column': { type: 'string', default: 'id' },
      quiet: { type: 'boolean', default: false },
      retries: { type: 'string', default: '7' },
    },
  });
  const concurrency = Number(values.concurrency);
  const retries = Number(values.retries);
  if (
    values.input === undefined ||
    values.output === undefined ||
    !Number.isInteger(concurrency) ||
    concurrency < 1 ||
    !Number.isInteger(retries) ||
    retries < 0
  ) {
    console.error(USAGE);
    return 2;
  }
  const query = values.model === undefined ? '' : `?model=${encodeURIComponent(values.model)}`;
  const showBar = !values.quiet && process.stderr.isTTY;
  const total = showBar ? await countLines(values.input) : undefined;
  const target =
    values.url === undefined
      ? await inProcess(query)
      : { post: remotePost(values.url, query), close: () => Promise.resolve() };
  const started = Date.now();
  try {
    const counts = await runClassifyJob(
      {
        input: values.input,
        output: values.output,
        format: {
          csv: values.input.toLowerCase().endsWith('.csv'),
          textColumn: values['text-column'],
          idColumn: values['id-column'],
        },
        concurrency,
        resume: values.resume,
        chunkRows: CHUNK_ROWS,
        maxAttempts: retries + 1,
        progress: new ProgressBar(total, showBar),
      },
      target.post,
    );
    if (!values.quiet) {
      const seconds = (Date.now() - started) / 1000;
      console.error(
        `sift classify: ${counts.done} rows, ${counts.done - counts.errors} classified, ` +
          `${counts.errors} errors (${values.output}.errors.jsonl), ${seconds.toFixed(1)} s`,
      );
    }
    return 0;
  } catch (error) {
    const again = [
      'npm run cli -- classify',
      ...args.filter((arg) => arg !== '--resume'),
      '--resume',
    ];
    console.error(
      `sift classify: stopped (${error instanceof Error ? error.message : String(error)}); ` +
        `the output holds every row before the failure. Resume with: ${again.join(' ')}`,
    );
    return 1;
  } finally {
    await target.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'classify') return classify(rest);
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
