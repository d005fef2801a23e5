import { Tokenizer } from '@huggingface/tokenizers';
import { ModelLoadError } from '../inference.errors';
import { readJsonFile, readOptionalJsonFile } from '../model/model-config';
import type { EncodedText, Preprocessor, TokenSpan } from './preprocessor.interface';
import { longestFirst } from './pair-truncation';
import { alignTokens } from './token-offsets';

const PROBE_TEXT = 'sift probe';
const PROBE_PAIR = 'second part';

/** Where the special tokens of a pair go, learned from the post-processor's pair template. */
interface PairTemplate {
  readonly prefix: readonly number[];
  readonly middle: readonly number[];
  readonly suffix: readonly number[];
  /** Where token type 1 starts, counted from the end of the first text; undefined: never. */
  readonly typeOffset: number | undefined;
}

/**
 * Runs a model's `tokenizer.json`. The library has no truncation, so we encode without
 * special tokens, cut the content, and wrap it in the special tokens the post-processor
 * adds — the same result as Hugging Face's `truncation=True` (`longest_first` for pairs).
 */
export class HfTokenizerPreprocessor implements Preprocessor {
  private readonly prefix: readonly number[];
  private readonly suffix: readonly number[];
  private readonly contentBudget: number;
  private readonly pairTemplate: PairTemplate | undefined;

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
    this.pairTemplate = probePairTemplate(tokenizer);
  }

  get supportsPairs(): boolean {
    return this.pairTemplate !== undefined;
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

  encode(text: string, pair?: string): EncodedText {
    if (pair !== undefined) return this.encodePair(text, pair);
    const content = this.tokenizer.encode(text, { add_special_tokens: false }).ids;
    const truncated = content.length > this.contentBudget;
    const kept = truncated ? content.slice(0, this.contentBudget) : content;
    return { ids: [...this.prefix, ...kept, ...this.suffix], truncated };
  }

  private encodePair(text: string, pair: string): EncodedText {
    const template = this.pairTemplate;
    if (template === undefined) throw new Error('This tokenizer has no pair template');
    const first = this.tokenizer.encode(text, { add_special_tokens: false }).ids;
    const second = this.tokenizer.encode(pair, { add_special_tokens: false }).ids;
    const specials = template.prefix.length + template.middle.length + template.suffix.length;
    const [keptFirst, keptSecond] = longestFirst(
      first.length,
      second.length,
      Math.max(2, this.maxLength - specials),
    );
    return {
      ids: [
        ...template.prefix,
        ...first.slice(0, keptFirst),
        ...template.middle,
        ...second.slice(0, keptSecond),
        ...template.suffix,
      ],
      truncated: keptFirst < first.length || keptSecond < second.length,
      typeStart:
        template.typeOffset === undefined
          ? undefined
          : template.prefix.length + keptFirst + template.typeOffset,
    };
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

/** The pair template, from how the tokenizer wraps a probe pair; undefined if it has none. */
function probePairTemplate(tokenizer: Tokenizer): PairTemplate | undefined {
  let encoded: { ids: number[]; token_type_ids: number[] };
  try {
    encoded = tokenizer.encode(PROBE_TEXT, { text_pair: PROBE_PAIR, return_token_type_ids: true });
  } catch {
    return undefined; // no pair template: a single-text model
  }
  const first = tokenizer.encode(PROBE_TEXT, { add_special_tokens: false }).ids;
  const second = tokenizer.encode(PROBE_PAIR, { add_special_tokens: false }).ids;
  const firstAt = findSubsequence(encoded.ids, first);
  const secondAt = findSubsequence(encoded.ids, second, firstAt + first.length);
  if (firstAt < 0 || secondAt < 0) return undefined;
  const typeOneAt = encoded.token_type_ids.indexOf(1);
  return {
    prefix: encoded.ids.slice(0, firstAt),
    middle: encoded.ids.slice(firstAt + first.length, secondAt),
    suffix: encoded.ids.slice(secondAt + second.length),
    typeOffset: typeOneAt < 0 ? undefined : typeOneAt - firstAt - first.length,
  };
}

function findSubsequence(haystack: readonly number[], needle: readonly number[], from = 0): number {
  if (from < 0) return -1;
  outer: for (let start = from; start + needle.length <= haystack.length; start++) {
    for (let offset = 0; offset < needle.length; offset++) {
      if (haystack[start + offset] !== needle[offset]) continue outer;
    }
    return start;
  }
  return -1;
}
