/** Token ids for one text, ready to be padded into a batch. */
export interface EncodedText {
  /** Ids fed as `input_ids`, special tokens included. */
  readonly ids: readonly number[];
  /** True when the text was cut to fit the model's maximum length. */
  readonly truncated: boolean;
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
  encode(text: string): EncodedText;
}
