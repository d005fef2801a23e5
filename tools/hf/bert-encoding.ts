import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';

/** Token ids of one text, truncated the way transformers.js truncates. */
export interface BertEncoding {
  readonly ids: number[];
  readonly typeIds: number[];
}

/** A padded batch as the three int64 tensors a BERT graph takes, row-major `[batch, sequence]`. */
export interface BertBatch {
  readonly batchSize: number;
  readonly sequenceLength: number;
  readonly inputIds: BigInt64Array;
  readonly attentionMask: BigInt64Array;
  readonly tokenTypeIds: BigInt64Array;
}

/** Encodes single texts with a model folder's tokenizer files. */
export class BertTextEncoder {
  private readonly tokenizer: Tokenizer;
  readonly maxLength: number;
  readonly padId: number;

  constructor(
    tokenizerJson: object,
    tokenizerConfig: { readonly model_max_length: number; readonly pad_token: string },
  ) {
    this.tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
    this.maxLength = tokenizerConfig.model_max_length;
    const padId = this.tokenizer.token_to_id(tokenizerConfig.pad_token);
    if (padId === undefined)
      throw new Error(`pad token ${tokenizerConfig.pad_token} is not in the vocabulary`);
    this.padId = padId;
  }

  /** Reads `tokenizer.json` and `tokenizer_config.json` from a model folder. */
  static fromFolder(dir: string): BertTextEncoder {
    const read = (name: string): unknown => JSON.parse(readFileSync(join(dir, name), 'utf8'));
    return new BertTextEncoder(
      read('tokenizer.json') as object,
      read('tokenizer_config.json') as TokenizerConfigFile,
    );
  }

  /**
   * `[CLS] text [SEP]`, then cut to `model_max_length` by dropping the tail, `[SEP]` included:
   * that is what transformers.js does (`truncation: true`), and parity with it is the contract.
   */
  encode(text: string): BertEncoding {
    const encoded = this.tokenizer.encode(text, { return_token_type_ids: true });
    return {
      ids: encoded.ids.slice(0, this.maxLength),
      typeIds: encoded.token_type_ids.slice(0, this.maxLength),
    };
  }

  /** Encodes and right-pads texts to the longest, like transformers.js `padding: true`. */
  encodeBatch(texts: readonly string[]): BertBatch {
    return padBatch(
      texts.map((t) => this.encode(t)),
      this.padId,
    );
  }
}

interface TokenizerConfigFile {
  readonly model_max_length: number;
  readonly pad_token: string;
}

/** Right-pads encodings to the longest one; padding has mask 0, type 0 and the pad id. */
export function padBatch(encodings: readonly BertEncoding[], padId: number): BertBatch {
  const batchSize = encodings.length;
  const sequenceLength = Math.max(1, ...encodings.map((e) => e.ids.length));
  const inputIds = new BigInt64Array(batchSize * sequenceLength).fill(BigInt(padId));
  const attentionMask = new BigInt64Array(batchSize * sequenceLength);
  const tokenTypeIds = new BigInt64Array(batchSize * sequenceLength);
  encodings.forEach((e, b) => {
    e.ids.forEach((id, t) => {
      inputIds[b * sequenceLength + t] = BigInt(id);
      attentionMask[b * sequenceLength + t] = 1n;
      tokenTypeIds[b * sequenceLength + t] = BigInt(e.typeIds[t] ?? 0);
    });
  });
  return { batchSize, sequenceLength, inputIds, attentionMask, tokenTypeIds };
}
