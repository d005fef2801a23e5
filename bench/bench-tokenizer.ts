import { Tokenizer } from '@huggingface/tokenizers';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Sift's MAX_SEQ_LEN default: the server never feeds a model more than this. */
const SERVER_MAX_SEQ_LEN = 512;
const PROBE = 'sift probe';

type Json = Record<string, unknown>;

function readJson(dir: string, file: string): Json | undefined {
  const path = join(dir, file);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Json) : undefined;
}

function positive(value: unknown): number | undefined {
  // Tokenizers without a limit write a huge sentinel (1e30).
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 1e9
    ? value
    : undefined;
}

/**
 * A model folder's `tokenizer.json` with the truncation the server applies (content cut,
 * then wrapped in the special tokens), so the ceiling feeds the model the same ids Sift does.
 */
export class BenchTokenizer {
  readonly maxLength: number;
  readonly padId: number;
  private readonly prefix: readonly number[];
  private readonly suffix: readonly number[];

  private constructor(
    private readonly tokenizer: Tokenizer,
    modelDir: string,
  ) {
    const tokenizerConfig = readJson(modelDir, 'tokenizer_config.json') ?? {};
    const config = readJson(modelDir, 'config.json') ?? {};
    const modelMax =
      positive(tokenizerConfig.model_max_length) ?? positive(config.max_position_embeddings);
    this.maxLength = Math.min(SERVER_MAX_SEQ_LEN, modelMax ?? SERVER_MAX_SEQ_LEN);
    const padToken =
      typeof tokenizerConfig.pad_token === 'string' ? tokenizerConfig.pad_token : '[PAD]';
    this.padId = tokenizer.token_to_id(padToken) ?? 0;
    const full = tokenizer.encode(PROBE).ids;
    const content = tokenizer.encode(PROBE, { add_special_tokens: false }).ids;
    const start = full.findIndex((_, index) =>
      content.every((id, offset) => full[index + offset] === id),
    );
    this.prefix = start < 0 ? [] : full.slice(0, start);
    this.suffix = start < 0 ? [] : full.slice(start + content.length);
  }

  static load(modelDir: string): BenchTokenizer {
    const tokenizerJson = readJson(modelDir, 'tokenizer.json');
    if (tokenizerJson === undefined) throw new Error(`${modelDir} has no tokenizer.json`);
    const tokenizerConfig = readJson(modelDir, 'tokenizer_config.json') ?? {};
    return new BenchTokenizer(new Tokenizer(tokenizerJson, tokenizerConfig), modelDir);
  }

  /** Special tokens the post-processor adds around one sequence. */
  get specialCount(): number {
    return this.prefix.length + this.suffix.length;
  }

  /** Content tokens of `text`, without special tokens and without truncation. */
  contentLength(text: string): number {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids.length;
  }

  /** Model input ids, truncated to the server's limit, specials included. */
  encode(text: string): number[] {
    const content = this.tokenizer.encode(text, { add_special_tokens: false }).ids;
    const budget = Math.max(1, this.maxLength - this.specialCount);
    return [...this.prefix, ...content.slice(0, budget), ...this.suffix];
  }
}
