/** Token ids for one text, ready to be padded into a batch. */
export interface EncodedText {
  /** Ids fed as `input_ids`, special tokens included. */
  readonly ids: readonly number[];
  /** True when the text (or either text of a pair) was cut to fit the model's maximum length. */
  readonly truncated: boolean;
  /** For a text pair: where the second sequence starts (`token_type_ids` 1 from there on). */
  readonly typeStart?: number;
}

/** One token as TEI's `/tokenize` lists it; offsets are code points into the text. */
export interface TokenSpan {
  readonly id: number;
  /** The text the token covers, or the token itself for special tokens. */
  readonly text: string;
  /** Added by the model's template (`[CLS]`, `[SEP]`), not read from the text. */
  readonly special: boolean;
  readonly start: number | null;
  readonly stop: number | null;
}

/**
 * Turns raw text into model input ids. One per model; chosen from the model folder
 * (`tokenizer.json` for Hugging Face exports, `sift.preprocessor` in config.json otherwise).
 */
export interface Preprocessor {
  /** Maximum number of ids `encode` returns (what the batcher pads to at most). */
  readonly maxLength: number;
  /** Id used for padding positions (their attention mask is 0). */
  readonly padId: number;
  /** True when `encode` takes a second text (`[CLS] a [SEP] b [SEP]` for BERT). */
  readonly supportsPairs: boolean;
  /**
   * Encodes a text, or a text pair when `pair` is given (only if `supportsPairs`). A promise
   * where the work runs off the calling thread (the Rust tokenizers binding's libuv tasks).
   */
  encode(text: string, pair?: string): EncodedText | Promise<EncodedText>;
  /** The tokens of `text`, untruncated; absent for preprocessors without a token vocabulary. */
  tokenize?(text: string, addSpecialTokens: boolean): TokenSpan[] | Promise<TokenSpan[]>;
}
