import type { Encoding, Tokenizer } from '@anush008/tokenizers';
import { ModelLoadError } from '../inference.errors';
import { readJsonFile, readOptionalJsonFile } from '../model/model-config';
import { loadTokenizersBinding } from './native-tokenizers';
import type { EncodedText, Preprocessor, TokenSpan } from './preprocessor.interface';

/**
 * Runs a model's `tokenizer.json` on the Rust `tokenizers` crate, through its Node binding:
 * the code Python `transformers` ran when the model was trained, so ids are the training
 * ids for every family (WordPiece, byte-level BPE, SentencePiece Unigram and BPE) and every
 * post-processor. Truncation is the crate's too, set as `transformers` sets it for
 * `truncation=True`: `longest_first` to the model's maximum length, on the side
 * tokenizer_config.json's `truncation_side` names. Padding is left to the batcher, which pads
 * on the right: with the attention mask, that gives each text the logits it has alone.
 *
 * The JavaScript port (`@huggingface/tokenizers`) served before; it split characters outside
 * the Basic Multilingual Plane differently, dropped the second text of a pair under a
 * byte-level post-processor, and gave RoBERTa pairs type ids the crate does not
 * (docs/performance.md has the comparison).
 */
export class HfTokenizerPreprocessor implements Preprocessor {
  /** The crate concatenates a pair as the post-processor says, also when it has no template. */
  readonly supportsPairs = true;

  private constructor(
    /** Truncates to `maxLength`, for `encode`. */
    private readonly bounded: Tokenizer,
    /** Does not truncate, for `tokenize`, which lists every token of a text. */
    private readonly unbounded: Tokenizer,
    readonly maxLength: number,
    readonly padId: number,
  ) {}

  /** `tokenizerConfig`: the parsed tokenizer_config.json when the caller has it already. */
  static load(
    modelDir: string,
    maxLength: number,
    tokenizerConfig: Record<string, unknown> = readOptionalJsonFile(
      modelDir,
      'tokenizer_config.json',
    ) ?? {},
  ): HfTokenizerPreprocessor {
    const tokenizerJson = readJsonFile(modelDir, 'tokenizer.json');
    const source = JSON.stringify(tokenizerJson);
    let bounded: Tokenizer;
    let unbounded: Tokenizer;
    try {
      const { Tokenizer } = loadTokenizersBinding();
      bounded = Tokenizer.fromString(source);
      unbounded = Tokenizer.fromString(source);
      // tokenizer.json may carry the padding and truncation of its last Python call; what
      // transformers applies at training time is `truncation=True` and the batch's padding.
      for (const tokenizer of [bounded, unbounded]) {
        tokenizer.disablePadding();
        tokenizer.disableTruncation();
      }
      bounded.setTruncation(maxLength, {
        direction: tokenizerConfig.truncation_side === 'left' ? 'left' : 'right',
      });
    } catch (error) {
      throw new ModelLoadError(
        modelDir,
        'tokenizer.json',
        `unusable (${(error as Error).message})`,
      );
    }
    return new HfTokenizerPreprocessor(
      bounded,
      unbounded,
      maxLength,
      padIdOf(unbounded, tokenizerConfig, tokenizerJson),
    );
  }

  async encode(text: string, pair?: string): Promise<EncodedText> {
    const encoding = await this.bounded.encode(text, pair ?? null);
    const ids = encoding.getIds();
    const truncated = encoding.getOverflowing().length > 0;
    if (pair === undefined) return { ids, truncated };
    return { ids, truncated, typeStart: typeStartOf(encoding) };
  }

  async tokenize(text: string, addSpecialTokens: boolean): Promise<TokenSpan[]> {
    const encoding = await this.unbounded.encode(text, null, { addSpecialTokens });
    const ids = encoding.getIds();
    const tokens = encoding.getTokens();
    const offsets = encoding.getOffsets();
    const specials = encoding.getSpecialTokensMask();
    const chars = Array.from(text);
    return ids.map((id, index): TokenSpan => {
      if (specials[index] === 1) {
        return { id, text: tokens[index], special: true, start: null, stop: null };
      }
      // The crate's offsets count code points, as TEI's do.
      const [start, stop] = offsets[index];
      return { id, text: chars.slice(start, stop).join(''), special: false, start, stop };
    });
  }
}

/**
 * Where token type 1 starts. Every post-processor a classifier uses gives a pair type 0 and
 * then type 1 (BERT, templates, none) or type 0 throughout (RoBERTa): undefined then.
 */
function typeStartOf(encoding: Encoding): number | undefined {
  const start = encoding.getTypeIds().indexOf(1);
  return start < 0 ? undefined : start;
}

/**
 * The id padding positions get: tokenizer_config.json's `pad_token` (a string, or an added
 * token's `content`), else tokenizer.json's padding id, else `[PAD]`, else 0. The attention
 * mask hides them either way; RoBERTa-style graphs also number positions from it.
 */
function padIdOf(
  tokenizer: Tokenizer,
  tokenizerConfig: Record<string, unknown>,
  tokenizerJson: unknown,
): number {
  const configured = tokenizerConfig.pad_token;
  const name =
    typeof configured === 'string'
      ? configured
      : typeof configured === 'object' && configured !== null
        ? (configured as { content?: unknown }).content
        : undefined;
  const named = typeof name === 'string' ? tokenizer.tokenToId(name) : null;
  if (named !== null) return named;
  const padding =
    typeof tokenizerJson === 'object' && tokenizerJson !== null
      ? (tokenizerJson as { padding?: { pad_id?: unknown } | null }).padding
      : undefined;
  if (typeof padding?.pad_id === 'number') return padding.pad_id;
  return tokenizer.tokenToId('[PAD]') ?? 0;
}
