import { Tokenizer as JsTokenizer } from '@huggingface/tokenizers';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadTokenizersBinding } from '../src/modules/inference/preprocessing/native-tokenizers';
import { TOKENIZER_FAMILIES } from '../test/fixtures/tokenizers/tokenizer-families';

/**
 * Tokenization speed, the JavaScript port (`@huggingface/tokenizers`, synchronous) against the
 * Rust crate's Node binding (each encode a libuv task), in ms per text: one text at a time
 * (a lone request's latency) and 64 at once (a batch), with the event loop's busy time for
 * the binding (the JavaScript port's is all of its time); the fastest of five rounds. Texts differ by a counter, so no cache
 * helps. Run: `npx tsx bench/tokenize-speed.ts`.
 */
const SENTENCE =
  'The quarterly report shows revenue grew in most regions, although costs rose faster than ' +
  'expected; the board asked for a review of supplier contracts before the next meeting. ';
const SHORT = 'Win a free cruise now, reply YES to claim';
const ROUNDS = 5;

type Json = Record<string, unknown>;
const readJson = (path: string): Json => JSON.parse(readFileSync(path, 'utf8')) as Json;

/** The fastest round: on a shared machine the others measure the neighbours too. */
function fastest(values: number[]): number {
  return Math.min(...values);
}

/** [one at a time, 64 at once, event-loop busy time of 64 at once], each in ms per text. */
async function measure(
  texts: readonly string[],
  encode: (text: string) => unknown,
): Promise<number[]> {
  const oneAtATime: number[] = [];
  const batched: number[] = [];
  const loopBusy: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let started = performance.now();
    for (const text of texts) await encode(text);
    oneAtATime.push((performance.now() - started) / texts.length);
    started = performance.now();
    const loop = performance.eventLoopUtilization();
    for (let start = 0; start < texts.length; start += 64) {
      await Promise.all(
        texts.slice(start, start + 64).map((text) => Promise.resolve(encode(text))),
      );
    }
    loopBusy.push(performance.eventLoopUtilization(loop).active / texts.length);
    batched.push((performance.now() - started) / texts.length);
  }
  return [fastest(oneAtATime), fastest(batched), fastest(loopBusy)];
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'sift-tokenize-speed-'));
  const dirs: [string, string][] = [['WordPiece (spam-en)', join('models', 'spam-en')]];
  for (const name of ['bpe-gpt', 'unigram-xlmr', 'spbpe-llama']) {
    const family = TOKENIZER_FAMILIES.find((candidate) => candidate.name === name);
    if (family === undefined) throw new Error(`no fixture ${name}`);
    family.write(join(scratch, name));
    dirs.push([family.family, join(scratch, name)]);
  }
  const { Tokenizer } = loadTokenizersBinding();
  console.log(`CPU: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, Node ${process.version}`);
  console.log(
    '| tokenizer | text | tokens | JS 1-at-a-time | Rust 1-at-a-time | JS ×64 | Rust ×64 | Rust ×64, event loop |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [label, dir] of dirs) {
    const js = new JsTokenizer(
      readJson(join(dir, 'tokenizer.json')),
      readJson(join(dir, 'tokenizer_config.json')),
    );
    const rust = Tokenizer.fromFile(join(dir, 'tokenizer.json'));
    rust.disablePadding();
    rust.disableTruncation();
    let long = SENTENCE;
    while (js.encode(long).ids.length < 300) long += SENTENCE;
    for (const [kind, base, count] of [
      ['short', SHORT, 2000],
      ['~300 tokens', long, 300],
    ] as const) {
      const texts = Array.from({ length: count }, (_, index) => `${index} ${base}`);
      const tokens = (await rust.encode(texts[0])).getLength();
      const [jsOne, jsBatch] = await measure(texts, (text) => js.encode(text));
      const [rustOne, rustBatch, rustLoop] = await measure(texts, (text) => rust.encode(text));
      const ms = (value: number) => value.toFixed(3);
      console.log(
        `| ${label} | ${kind} | ${tokens} | ${ms(jsOne)} | ${ms(rustOne)} | ${ms(jsBatch)} | ${ms(rustBatch)} | ${ms(rustLoop)} |`,
      );
    }
  }
  rmSync(scratch, { recursive: true, force: true });
}

void main();
