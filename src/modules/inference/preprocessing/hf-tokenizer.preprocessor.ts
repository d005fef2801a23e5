import { Tokenizer } from '@huggingface/tokenizers';
import { ModelLoadError } from '../inference.errors';
import { readJsonFile, readOptionalJsonFile } from '../model/model-config';
import type { EncodedText, Preprocessor, TokenSpan } from './preprocessor.interface';
import { alignTokens } from './token-offsets';

const PROBE_TEXT = 'sift probe';

/**
 * Runs a model's `tokenizer.json`. The library has no truncation, so we encode without
 * special tokens, cut the content, and wrap it in the special tokens the post-processor
 * adds — the same result as Hugging Face's `truncation=True` for a single sequence.
 */
export class HfTokenizerPreprocessor implements Preprocessor {
  private readonly prefix: readonly number[];
  private readonly suffix: readonly number[];
  private readonly contentBudget: number;

  private constructor(
    private readonly tokenizer: Tokenizer,
    readonly maxLength: number,
    readonly padId: number,
    private readonly vocabulary: { readonly subwordPrefix: string; readonly unknownToken?: string },
  ) {
    const withSpecials = tokenizer.encode(PROBE_TEXT).ids;
    const content = tokenizer.encode(PROBE_TEXT, { add_special_tokens: false }).ids;
    const start = findSubsequence(withSpecials, content);
    this.prefix = start < 0 ? [] : withSpecials.slice(0, start);
    this.suffix = start < 0 ? [] : withSpecials.slice(start + content.length);
    this.contentBudget = Math.max(1, maxLength - this.prefix.length - this.suffix.length);
  }

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
    let tokenizer: Tokenizer;
    try {
      tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
      tokenizer.encode(PROBE_TEXT);
    } catch (error) {
      throw new ModelLoadError(
        modelDir,
        'tokenizer.json',
        `unusable (${(error as Error).message})`,
      );
    }
    const padToken =
      typeof tokenizerConfig.pad_token === 'string' ? tokenizerConfig.pad_token : '[PAD]';
    const padId = tokenizer.token_to_id(padToken) ?? 0;
    return new HfTokenizerPreprocessor(tokenizer, maxLength, padId, vocabularyOf(tokenizerJson));
  }

  encode(text: string): EncodedText {
    const content = this.tokenizer.encode(text, { add_special_tokens: false }).ids;
    const truncated = content.length > this.contentBudget;
    const kept = truncated ? content.slice(0, this.contentBudget) : content;
    return { ids: [...this.prefix, ...kept, ...this.suffix], truncated };
  }

  tokenize(text: string, addSpecialTokens: boolean): TokenSpan[] {
    const { ids, tokens } = this.tokenizer.encode(text, { add_special_tokens: false });
    const chars = Array.from(text);
    const offsets = alignTokens(text, tokens, this.vocabulary);
    const content = ids.map((id, index): TokenSpan => {
      const { start, stop } = offsets[index];
      return {
        id,
        text: start === null || stop === null ? tokens[index] : chars.slice(start, stop).join(''),
        special: false,
        start,
        stop,
      };
    });
    if (!addSpecialTokens) return content;
    return [...this.specials(this.prefix), ...content, ...this.specials(this.suffix)];
  }

  private specials(ids: readonly number[]): TokenSpan[] {
    return ids.map((id) => ({
      id,
      text: this.tokenizer.id_to_token(id) ?? '',
      special: true,
      start: null,
      stop: null,
    }));
  }
}

/** What offset recovery needs from tokenizer.json's model (WordPiece's `##` by default). */
function vocabularyOf(tokenizerJson: unknown): {
  subwordPrefix: string;
  unknownToken?: string;
} {
  const model =
    typeof tokenizerJson === 'object' && tokenizerJson !== null
      ? (tokenizerJson as { model?: Record<string, unknown> }).model
      : undefined;
  const prefix = model?.continuing_subword_prefix;
  const unknown = model?.unk_token;
  return {
    subwordPrefix: typeof prefix === 'string' ? prefix : '##',
    unknownToken: typeof unknown === 'string' ? unknown : undefined,
  };
}

function findSubsequence(haystack: readonly number[], needle: readonly number[]): number {
  outer: for (let start = 0; start + needle.length <= haystack.length; start++) {
    for (let offset = 0; offset < needle.length; offset++) {
      if (haystack[start + offset] !== needle[offset]) continue outer;
    }
    return start;
  }
  return -1;
}
