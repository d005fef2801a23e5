import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ChildProcesses } from './child-processes';
import { ensureBuild, startSift } from './servers';

/**
 * What an explanation costs against a plain request, for texts of 10, 30 and 60 words: the
 * production server (dist/main.js, spam-en, cache off so every run is computed), one request
 * at a time, the median of ROUNDS, plain and explained requests taken in turn. Beside them,
 * the words + 1 texts sent as that many `/classify` requests at once, what a client would do
 * without `explain`: the issue asks that an explanation cost about one batch, not N requests.
 * Every text differs by its first word, so no coalescing helps. Short on purpose (a shared
 * machine): run `npx tsx bench/explain-cost.ts`.
 */
const WORD_COUNTS = [10, 30, 60] as const;
const ROUNDS = 15;
const VOCABULARY = (
  'hi anna the quarterly report is ready and you won a free cruise so click here to claim ' +
  'your prize before friday or call the office about lunch at noon tomorrow'
).split(' ');

let serial = 0;
/** A text of exactly `words` words, its first one unique. */
function textOf(words: number): string {
  const rest = Array.from({ length: words - 1 }, (_, i) => VOCABULARY[i % VOCABULARY.length]);
  return [`n${serial++}`, ...rest].join(' ');
}

async function post(baseUrl: string, body: object): Promise<void> {
  const response = await fetch(`${baseUrl}/classify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
}

async function timed(run: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Every variant an explanation of `text` runs, as separate requests. */
function variantsOf(text: string): string[] {
  const words = text.split(' ');
  return [text, ...words.map((_, i) => words.filter((__, j) => j !== i).join(' '))];
}

async function main(): Promise<void> {
  ensureBuild((message) => console.error(message));
  const children = new ChildProcesses();
  try {
    const sift = await startSift(children, 'spam-en', false);
    const url = sift.baseUrl;
    for (let i = 0; i < 20; i++) {
      await post(url, { text: textOf(30) });
      await post(url, { text: textOf(30), explain: true });
    }
    console.log(
      `CPU: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, Node ${process.version}`,
    );
    console.log(`median of ${ROUNDS} rounds, ms; spam-en, cache off`);
    console.log('| words | plain | explain | explain / plain | words + 1 requests at once |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const words of WORD_COUNTS) {
      // The three in turn each round, so a neighbour's burst on the shared machine hits all.
      const [plain, explained, separate]: number[][] = [[], [], []];
      for (let round = 0; round < ROUNDS; round++) {
        plain.push(await timed(() => post(url, { text: textOf(words) })));
        explained.push(await timed(() => post(url, { text: textOf(words), explain: true })));
        const texts = variantsOf(textOf(words));
        separate.push(
          await timed(() => Promise.all(texts.map((text) => post(url, { text }))).then()),
        );
      }
      const [p, e, n] = [median(plain), median(explained), median(separate)];
      const row = [words, p, e, e / p, n].map((value, i) =>
        i === 0 ? String(value) : value.toFixed(i === 3 ? 1 : 2),
      );
      console.log(`| ${row.join(' | ')} |`);
    }
  } finally {
    await children.stopAll();
  }
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
